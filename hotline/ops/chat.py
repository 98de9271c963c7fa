"""Talk to the hotline as a person with a phone would, with no Twilio account.

Each line you type is posted to the gateway's webhook exactly as Twilio would post it (form
fields, a fresh MessageSid, the X-Twilio-Signature); the replies are read back from the Twilio
sandbox's message list, i.e. what would have reached the phone.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

import requests

from hotline.messaging.channels import Address
from hotline.messaging.twilio_client import sign


@dataclass
class Phone:
    """A pretend handset: sends like Twilio delivers, reads what the sandbox accepted for it."""

    gateway_url: str
    sandbox_url: str
    account_sid: str
    auth_token: str
    number: str
    hotline_number: str
    channel: str = "sms"
    seen: set = field(default_factory=set)

    @property
    def address(self) -> str:
        return Address(self.channel, self.number).twilio

    @property
    def hotline_address(self) -> str:
        return Address(self.channel, self.hotline_number.removeprefix("whatsapp:")).twilio

    def inbound_params(self, body: str, sid: str | None = None, num_media: int = 0) -> dict:
        params = {
            "AccountSid": self.account_sid, "ApiVersion": "2010-04-01",
            "MessageSid": sid or "SM" + secrets.token_hex(16), "From": self.address,
            "To": self.hotline_address, "Body": body, "NumMedia": str(num_media),
            "NumSegments": "1", "SmsStatus": "received",
        }
        params["SmsSid"] = params["SmsMessageSid"] = params["MessageSid"]
        if self.channel == "whatsapp":
            params["WaId"] = self.number.lstrip("+")
            params["ProfileName"] = "Sandbox"
        return params

    def send(self, body: str, sid: str | None = None, num_media: int = 0,
             **fields: str) -> requests.Response:
        """Post one message; `fields` adds or replaces Twilio's (MediaUrl0, Latitude, ...)."""
        url = self.gateway_url.rstrip("/") + "/twilio/messages"
        params = {**self.inbound_params(body, sid, num_media), **fields}
        return requests.post(url, data=params, timeout=10,
                             headers={"X-Twilio-Signature": sign(self.auth_token, url, params)})

    def inbox(self) -> list[dict]:
        """Every message the sandbox accepted for this phone, oldest first."""
        url = f"{self.sandbox_url.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        response = requests.get(url, params={"To": self.address, "PageSize": 1000},
                                auth=(self.account_sid, self.auth_token), timeout=10)
        response.raise_for_status()
        return list(reversed(response.json()["messages"]))

    def new_messages(self) -> list[dict]:
        fresh = [m for m in self.inbox() if m["sid"] not in self.seen]
        self.seen.update(m["sid"] for m in fresh)
        return fresh

    def wait_for(self, count: int = 1, timeout: float = 30.0) -> list[dict]:
        """Wait until at least `count` new messages arrived; returns them (maybe fewer)."""
        got: list[dict] = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            got += self.new_messages()
            if len(got) < count:
                time.sleep(0.2)
        return got


def interactive(phone: Phone) -> None:
    print(f"You are {phone.address}, texting the hotline at {phone.hotline_address}.")
    print("Type a message and press Enter. Ctrl-D or /quit ends the chat.\n")
    phone.new_messages()  # earlier conversations are not news
    stop = threading.Event()
    lock = threading.Lock()

    def show_replies():
        while not stop.is_set():
            try:
                for message in phone.new_messages():
                    with lock:
                        print(f"\nhotline> {message['body']}\n", flush=True)
            except requests.RequestException:
                pass
            stop.wait(0.3)

    threading.Thread(target=show_replies, daemon=True).start()
    try:
        while True:
            try:
                line = input()
            except EOFError:
                break
            if line.strip() == "/quit":
                break
            response = phone.send(line)
            if response.status_code != 200:
                print(f"(gateway answered {response.status_code}: {response.text[:200]})")
    finally:
        time.sleep(0.5)
        stop.set()
