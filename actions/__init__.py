"""Custom actions for the hotline's Rasa assistant (run by `rasa run actions`)."""
