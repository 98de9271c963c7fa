"""The MPP hotline: what the gateway, the workers and the actions share."""
