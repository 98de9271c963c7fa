"""Opting out in people's own words is STOP (US rules since April 2025: a request to stop made
by any reasonable means); what only looks like one reaches the assistant."""

import pytest

from hotline.messaging import keywords

ASKS_TO_STOP = [
    # Spanish, as people write it
    "ya no me manden mensajes", "Ya no me manden más mensajes por favor",
    "dejen de escribirme", "dejen de mandarme mensajes", "deja de escribirme",
    "paren de mandarme mensajes", "no quiero más mensajes", "no quiero recibir mas mensajes",
    "ya no quiero recibir sus mensajes gracias", "no me envíen más mensajes",
    "no me sigan mandando mensajes", "no me vuelvan a escribir",
    "ya no me escriban", "no me escriban mas", "quiero darme de baja",
    "denme de baja de los mensajes", "quítenme de la lista", "sáquenme de su lista",
    "ya basta de mensajes", "no más mensajes", "ya no mas textos porfavor",
    "hola buenas, ya no me manden nada, gracias", "no kiero mas mensajes",
    "por favor ya no me contacten", "dejen de molestarme con mensajes",
    "quiero desuscribirme", "cancelar mi suscripción",
    # English, including English written by Spanish speakers
    "stop texting me", "Please stop messaging me!", "stop sending me messages please",
    "stop sending messages", "don't text me anymore", "do not contact me again",
    "dont message me", "i don't want these messages", "i dont want any more texts",
    "no more texts", "no more messages pls", "unsubscribe me", "please unsubscribe",
    "opt me out", "i want to opt out", "take me off your list", "remove me from this list",
    "remove my number from your list", "cancel my subscription", "quit texting me",
    "paren los mensajes", "cancelen los mensajes por favor", "no me interesan sus mensajes",
    "no me molesten más", "quiero salirme de la lista", "stop the messages",
    "i want to stop receiving texts", "stop getting these alerts", "enough texts please",
    "end these messages",
    # the newer Twilio keywords
    "REVOKE", "optout", "OPT-OUT", "Opt out",
]

NOT_A_REQUEST_TO_STOP = [
    "no me manden mensajes de voz", "mejor no me manden audios, mándenme texto",
    "stop, I have a question", "stop, tengo una pregunta", "no dejen de escribirme",
    "por favor no dejen de mandarme mensajes", "no me llegan los mensajes",
    "no me han llegado mensajes", "no me escribieron la fecha de mi corte",
    "no me mandan nada desde hace un mes", "yo no me llamo así", "stop sending money to coyotes",
    "I want to stop the process", "I never got your messages", "don't stop texting me",
    "que no me manden a méxico otra vez", "no quiero que me manden de regreso",
    "no me envíen de vuelta", "stop sending me the wrong info", "¿cómo me registro?",
    "quiero borrar mis datos", "delete my data", "no quiero mensajes equivocados",
    "no me manden a otro albergue", "the messages stopped, why?",
    "no me molesta esperar", "me interesa recibir mensajes", "para mandar mensajes que hago",
    "stop getting robbed in the shelter", "when do the messages end?",
]


@pytest.mark.parametrize("body", ASKS_TO_STOP)
def test_own_words_opt_out(body):
    assert keywords.match(body) == keywords.OPT_OUT


@pytest.mark.parametrize("body", NOT_A_REQUEST_TO_STOP)
def test_lookalikes_reach_the_assistant(body):
    assert keywords.match(body) is None


@pytest.mark.parametrize("body, lang", [
    ("ya no me manden mensajes", "es"), ("dejen de escribirme por favor", "es"),
    ("stop texting me", "en"), ("please unsubscribe me from this", "en"),
])
def test_the_request_says_its_language(body, lang):
    assert keywords.keyword_language(body) == lang


def test_cancel_alone_still_means_the_registration_mid_form():
    assert keywords.is_cancel("cancelar")
    assert not keywords.is_cancel("cancelar mi suscripción")
