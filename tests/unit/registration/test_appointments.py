"""The appointment a status change sets is kept with the registration, for its reminder."""

from hotline.registration import notify
from hotline.registration.store import RegistrationStore

VALUES = {"name": "Ana Ruiz", "birth_date": "1988-03-15", "citizenship": "HN",
          "a_number": "012345678", "case_situation": "pending", "enrolled": "2019-03",
          "phone": "+528991234567", "family": 0}


def test_an_appointment_is_on_file_until_the_status_moves_on(rt):
    store: RegistrationStore = rt.registrations
    reg = store.create(VALUES, "c-1", "sms", "es")
    assert store.appointment(reg.reference) is None
    first, second = store.next_change(reg.reference), store.next_change(reg.reference)
    assert (first, second) == (1, 2)
    store.set_status(reg.reference, notify.APPOINTMENT, "org")
    details = {"place": "Tijuana", "date": "2030-01-02", "time": "08:30"}
    store.set_appointment(reg.reference, second, details)
    assert store.appointment(reg.reference) == (2, details)
    # A reminder for an earlier change is not sent.
    assert notify.remind(rt, reg.reference, first) is None
    store.set_status(reg.reference, "closed", "org")
    assert store.appointment(reg.reference) is None
