"""More ways people ask for no more messages, written apart from the first list: wanting ("no
quiero que me escriban"), ongoing forms ("no me estén mandando"), no "me" at all ("no manden
más"), lists and numbers ("kiten mi número de la lista", "take my number off"), misspellings
("stop send me mesages"); and what only looks like a request to stop."""

import pytest

from hotline.messaging import keywords

ASKS_TO_STOP = [
    "ya no quiero que me escriban", "no quiero que me sigan mandando mensajes",
    "ya no me envien nada", "por favor borren mi numero de su lista",
    "ya no me interesa recibir mensajes", "no me manden nada mas",
    "ya no quiero recibir informacion", "no quiero recibir más notificaciones de este número",
    "dejen de enviar mensajes a este numero", "ya no quiero estar en la lista",
    "eliminen mi numero de su lista", "kiten mi numero de la lista",
    "ya no me agan llegar mensajes", "no me llamen ni me escriban",
    "ya no ocupo los mensajes gracias", "no quiero que me contacten mas",
    "por favor no escribir a este numero", "dejen de mandar whatsapp",
    "ya no estoy interesado no escriban mas", "ya no gracias no manden mas",
    "ya no me manden sus mensajes xfa",
    "buenas noches disculpe pero ya no quiero que me manden mensajes a este numero",
    "porfa ya no me esten mandando mensajes", "ya no me esten escribiendo",
    "no me sigan escribiendo por favor", "q ya no me manden nada",
    "xfavor ya no me escriban mas", "ya no kiero resibir mensajes", "alto a los mensajes",
    "ya no deseo recibir mensajes de ustedes",
    "please stop contacting me", "I no longer want to receive texts",
    "dont send me anything else", "leave me alone stop texting", "stop msging me",
    "quit sending me stuff", "I'd like to stop receiving these messages",
    "no more msgs please", "pls stop the texts", "do not text this number",
    "you can stop sending me texts now", "I don't want to get messages anymore", "cancel texts",
    "stop all messages to this number", "please dont send me more messages",
    "i dont want to receive this messages no more", "stop send me mesages",
    "no more text please thank you", "take my number off", "please remove my number",
    # a stop word with only politeness around it, and misspellings
    "please stop", "stop please", "stop it", "stop now", "pls stop", "stop stop stop",
    "no contact please", "remove me", "unsub",
    "i want to unsuscribe", "i want these texts to stop",
    "please remove me from your contacts", "remove me from list",
    "dont text", "ya basta", "ya paren", "paren ya", "ya no manden", "bórrenme", "sáquenme",
    "quítenme", "por favor ya no envíen", "ya no me escriva", "ya no me escrivan",
    "no me escrivan mas", "no me enbien mensajes", "ya no me enbien nada",
]

NOT_STOPPING = [
    "no me llegan los mensajes", "me dejaron de llegar los mensajes",
    "no me han mandado la fecha", "me pueden mandar la informacion?", "stop the deportation",
    "no quiero que me manden a mexico", "paren la deportacion", "I don't want to go back",
    "no me manden de regreso", "my cousin stopped getting messages",
    "ya no me llegan sus mensajes que paso", "no me escribieron la fecha de mi corte",
    "why did you stop texting me", "i stopped receiving the messages",
    "dont stop sending me updates please", "no dejen de mandarme informacion",
    "como hago para que me manden mensajes", "quiero recibir mensajes",
    "cuando me van a mandar mensaje de mi cita", "no tengo saldo para mandar mensajes",
    "no me manden mensajes de voz porque no puedo oirlos", "no quiero que me deporten",
    "ya no quiero esperar en mexico", "i dont want to wait anymore", "the messages stopped",
    "no me mandaron nada", "ni me manden a otro albergue", "no envien nada de dinero",
    "no escriban a mi abogado", "do not send me back", "don't text my number to anyone",
    "no me esten mandando a otro lugar", "i dont want to be removed from the list",
    "can you remove my number from my registration and put the new one",
    "remove me from mpp", "how do i get removed from the program", "they wont stop it",
    "no more money", "no mas dinero", "stop it they are hurting me",
    "can you take me off the waitlist for court", "no manden a mi hijo",
    "i want to be removed from mpp", "my case was removed", "they want to remove me",
    "will i be removed", "can i get removed", "end it", "no more, thanks", "no more",
]


@pytest.mark.parametrize("text", ASKS_TO_STOP)
def test_asks_to_stop(text):
    assert keywords.asks_to_stop(text)
    assert keywords.match(text) == keywords.OPT_OUT


@pytest.mark.parametrize("text", NOT_STOPPING)
def test_only_looks_like_stopping(text):
    assert not keywords.asks_to_stop(text)
