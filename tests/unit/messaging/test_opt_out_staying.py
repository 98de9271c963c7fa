"""Messages that use a request to stop's words to ask to stay, to come back, or about someone
else's messages: neither the rules nor a sure model reading opt these people out, since a wrong
opt-out silences the notices about their case. And the requests around them still stop."""

import pytest

from hotline.messaging import keywords

STAYING = [
    # asking not to be taken off
    "please don't take me off the list, my hearing is next month",
    "do not remove me, I still need the notices",
    "don't unsubscribe me, that was my cousin writing",
    "por favor no me quiten de la lista, sigo esperando mi cita",
    "no me borren de sus mensajes, aqui sigo",
    "no me den de baja porfa",
    # not leaving
    "I do not want to leave the list, I only asked about my court date",
    "please don't leave me without the updates",
    "no me dejen sin los avisos por favor",
    "no quiero salirme de la lista, nomas pregunto",
    # coming back after leaving
    "I unsubscribed by mistake, please add me back",
    "i hit stop without meaning to, can you put me back on the texts",
    "me di de baja sin querer, como vuelvo a recibir los mensajes",
    "mi esposo pidió que ya no nos manden mensajes pero quiero que me vuelvan a escribir",
    # someone else asked, the person wants them
    "my son texted you to stop the messages but I still want them",
    "alguien pidio parar los mensajes desde mi telefono, quiero que sigan llegando",
    # another sender's messages, the hotline's kept
    "how do I unsubscribe from the store's promos? not from you, yours are fine",
    "cómo me salgo de los mensajes de la compañía de teléfono? los de ustedes sí",
    # what happens to the messages if ...
    "will I stop receiving messages if I go to Monterrey?",
    # they stopped, asked why: a question about our messages, not a request
    "did you guys stop texting me? nothing since march",
    "y u stop txtin me",
    "ya dejaron de mandarme los avisos o que paso",
    "i think i was removed from the list, i dont get anything",
    "im not getting your messages anymore, what happened",
    "i stopped receiving the alerts last week, is the line ok",
    "me borraron de la lista? ya no me llega nada",
    # keep them coming
    "no paren los avisos porfa, mi cita es el lunes",
    "nunca dejen de escribirme",
    "ni se les ocurra dejar de mandarme los mensajes",
    "please no stop the messages, i need them",
    # a stop that was a mistake, regretted, or not theirs
    "i accidentally unsubscribed, how do i get them back",
    "puse alto sin querer, quiero los mensajes",
    "me desuscribí sin querer, quiero volver a recibirlos",
    "por error me desuscribi de los avisos",
    "i regret unsubscribing, can i have the alerts again",
    "someone sent stop from my phone, it wasnt me",
    "i never asked you to stop, why no more texts",
    # wanting them, in a stop's words
    "i dont want to miss any of your messages, my court date is close",
    "please I can't lose these alerts",
    "no quiero perderme ningun aviso de ustedes",
    "no quiero dejar de recibir sus mensajes",
    "no quiero que me dejen de mandar los recordatorios",
    "I don't want to unsubscribe, just asking",
    "no quiero darme de baja, solo tengo una duda",
    "i did not unsubscribe, why did the texts end",
    "yo no me di de baja y ya no me llega nada",
    # what a stop would do
    "if I unsubscribe will I lose my registration?",
    "que pasa si me doy de baja, pierdo mi lugar?",
    # removal is deportation: "remove me" said of them, not to us
    "they want to remove me back to honduras",
    "ICE could remove me, what do I do",
    "what happens if the judge decides to remove me",
    # a change of channel or of number, not of whether to write
    "ya no me escriban por whatsapp, mejor por mensaje de texto",
    "dont text me here, I prefer whatsapp",
    "sms is better for me than whatsapp, my data runs out",
    "stop sending to my old number please, this is my new one",
    # asking about them: how often, why they stopped coming
    "how often will you send me these notices?",
    "why u dont text me anymore, i need the date",
    "i no get the messages from you since monday",
    # back on after a stop
    "resubscribe me, i want the alerts again",
    "como deshago la baja que puse ayer",
    # "no more" of something else, and a goodbye
    "there is no more food at the shelter",
    "peace out",
    # a call is not a text
    "call me instead, dont text",
    # another list: the waiting list, the shelter's
    "me retiro de la lista de espera del albergue?",
    "remove me from the waiting list at the shelter",
    "sáquenme de la lista de espera, ya tengo lugar",
    "did you take me off the list? nothing comes",
    # why it was done to them: a question or a complaint, not a request
    "why did you block my number? i still need the reminders",
    "why did u guys remove me from the list",
    "you guys blocked my number?? i have court next week",
    "¿por qué me bloquearon? sigo esperando mi audiencia",
    "porque borraron mi número, yo no pedí eso",
    # someone else keeps writing to them (a smuggler, a scam, a company): they ask how to stop
    # that sender, and a stop would silence us with the danger or the scam unanswered
    "a coyote won't stop texting me that he can cross us tonight, is it safe?",
    "some guy keeps messaging me saying he works with you and wants $500",
    "my ex keeps calling and texting me, how do i block him",
    "at&t wont stop sending me ads, how do i stop that",
    "how do i make her stop texting me",
    "un tipo me sigue mandando mensajes que me pasa al otro lado, que hago",
    "el pollero no deja de escribirme, le contesto?",
    "unos señores me escriben diario pidiendo dinero por la cita, ya no quiero que me escriban",
    "telcel me manda promociones todo el dia, como las quito",
    "how do i unsubscribe from the bank ads? they text me all day",
    "la compañía de luz me manda avisos todo el día, cómo me doy de baja de eso",
    "alguien que dice ser de ustedes me manda mensajes pidiendo dinero, como hago que deje de "
    "escribirme",
    "como hago para que ese muchacho deje de mandarme mensajes",
    # a danger: they won't leave the person alone
    "los de la mafia no me dejan en paz, ya no aguanto",
    "they wont leave me alone at the shelter, i am scared",
    # whether our messages will end, and what a STOP would do
    "will you guys stop texting me once my case is done? hope not",
    "¿van a dejar de mandar avisos cuando cierre el programa?",
    "no me vayan a dejar de avisar, por favor",
    "what does text STOP to quit mean? I want to stay on",
    "si respondo alto ya no me llegan los avisos de la corte?",
    "if I reply stop do I lose my court reminders?",
    "no quiero que me den de baja",
    # wanting them, another language, leaving something else
    "i dont need the english texts, spanish is better, but keep sending",
    "you can text me anytime, I don't mind",
    "mi esposo me pregunta quién me escribe, pero quiero seguir recibiendo sus avisos",
    "does leaving the shelter take me out of the mpp?",
    "the texts keep coming and i dont want them to stop",
    "me salí del grupo de la iglesia pero a ustedes no, sigan escribiéndome",
    "how do i make my cousin stop texting me",
    "el encargado del albergue me manda mensajes a cada rato, ya no quiero que me escriba",
]

# Not a request the rules can be sure of: the model reads them (message_delivery, delete_data).
LEFT_TO_THE_MODEL = [
    # the words of the requests above, about something else
    "dont send me back to mexico anymore please help me",
    "me pueden sacar de la lista si falto a mi cita?",
    "i asked you to stop my registration, i made a mistake in it",
    "i told you to take me off the waiting list at the shelter",
    "how many times do I have to say stop to the guy who keeps calling",
    "could you not send me the date of my hearing? i lost it",
    "dont send me the papers to the shelter anymore, send them to my lawyer",
    "don't include me in the list for the bus tomorrow",
    "las cartas de la corte ya no las quiero recibir en el albergue",
    # "nada más": only
    "quiero nada más avisos de la corte, no de otras cosas",
    "the shooting near the shelter, i want it stopped",
    "i dont want to keep getting this kind of threats from the cartel, what do i do",
    "wrong number for the court is on my paper, how do i make it stop going to the old one",
    # "no" with the words of a request: "No. Remove me." folds to the same words
    "me still want message please, no remove me",
    "no borren mi numero, sigo esperando",
    # erasing their data is delete_data's question, answered after asking
    "remove me from your database",
    "quiten mi numero de su sistema",
    # "remove" alone confirms the erasure question (actions/privacy.py); mid-registration these
    # may leave the form only
    "remove",
    "unregister me",
    "me salgo",
    "count me out",
    # danger, money, people: a stop's words about something else
    "get me out i am scared",
    "please take us out of here, they are outside the door",
    "the man says he can take us out of mexico tonight",
    "no need to send money to anyone",
    "no hace falta que me manden dinero",
    "no sigan mandando gente a la frontera",
    "ya no queremos que nos manden a mexico otra vez",
    "como hago para dejar de recibir amenazas",
    # blocking or deleting someone else's number, or an old one of theirs
    "how do i block a number on my phone",
    "bloqueé el número de mi ex",
    "delete my old number from your list, this is my new one",
    "bórrenme de su sistema de datos",
]

STILL_STOPPING = [
    # a reason, then the keyword; asked before; permission; a number to block on our side
    "wrong number. STOP",
    "no me interesa, alto",
    "how many times do I need to tell you to stop",
    "I already asked you guys twice to take me off",
    "i told u last month to stop texting and u keep going",
    "you can remove me now thanks",
    "wrong guy, block this number on your end",
    "dont include me in these anymore",
    "no mas messages pls",
    "nada más mensajes por favor",
    "take it off your list please",
    "we want these to end",
    "dont send me the updates about mpp no more",
    "ya me pueden quitar de sus avisos",
    "los avisos ya no los quiero recibir",
    "ya no quiero seguir recibiendo comunicados",
    # someone else named, but not as a sender: the request is to us
    "my sister said you keep texting her too, stop texting me",
    "mi esposo me dice que ya no me manden mensajes",
    "my husband wants you to stop texting us",
    "mi nieto me metió aquí sin preguntarme, ya no me manden nada",
    "stop texting me, no questions",
    "unsubscribe me from the messages from the hotline please",
    "pls forget my number, thank you",
    "olviden este número por favor",
    "quit writing to me please, it makes me nervous",
    "could you not text me anymore",
    "i dont wish to get any more updates",
    "these texts keep coming and i dont want them",
    "no vuelvan a mandarme nada",
    "ya no sigan escribiéndome",
    "no quiero saber nada más de sus avisos",
    "a ustedes no les importa, ya no me manden mensajes",
    "i dont want to keep receiving these, thanks",
    "my son signed me up for this and i want it gone",
    "new owner of this number here, the person you want is gone. stop",
    "there is no more need to text me",
    "why dont you stop texting me already",
    "how often do I have to tell you to stop texting me",
    "unsubscribe me and never add me again",
    "no quiero que me sigan contactando",
    "numero equivocado, ya no escriban",
    "wrong person, stop texting me",
    "how can I stop getting these messages",
    "no quiero volver a recibir mensajes",
    "no me vuelvan a agregar, no me manden mensajes",
    "no me quitan de la lista aunque ya lo pedi, dejen de mandarme mensajes",
    # around the new vetoes' words
    "stop texting me, my brother gave you my number by mistake",
    "i changed my mind about the alerts, stop them please",
    "ya no me manden mensajes, ya dejaron de servirme",
    "stop sending me messages, I regret ever signing up",
    "I want to stop getting your texts",
    "desuscríbanme, me dieron este número por error",
    # around the newer vetoes' words, and in plain words of their own
    "No more texts, no more calls, nothing please",
    "I would like to no longer receive these texts",
    "i'd rather not get these alerts",
    "i never signed up for this. remove me",
    "Remove me now please",
    "can you remove me from the list",
    "ok enough. delete my number",
    "block this number please",
    "borren mi numero por favor",
    "favor de quitar mi contacto de la lista",
    "sáquenme del grupo",
    "ya no quiero ser parte de esta lista",
    "i don't want to be part of this group anymore",
    "how do i make these alerts go away",
    "Sí, me doy de baja",
    "si, desuscríbanme",
    "yo no pedí estos mensajes, quítenme de la lista",
    "no quiero perder mi tiempo con sus mensajes, no me manden nada",
    "i'm losing my mind with these texts, stop texting me",
    "I want you to remove me from the list",
    "ya me deportaron, ya no me manden mensajes",
    "stop texting me, I was deported already",
    # off the list, in more words
    "take me off please",
    "can you take me off your texts, thank you",
    "we got our papers, count us out of the messages",
    "drop my number from your list",
    "take this number off, it is my work phone",
    "please discontinue these notifications",
    "I'd appreciate it if you stop texting this phone",
    "pls stop to send me messages",
    "my mother wants the texts to end",
    "dont send me any more please",
    "please do not send messages here",
    "don't send them to me anymore",
    "dnt snd me txts",
    "dont write here again",
    "no need to keep texting me, thanks",
    "how do i get off this",
    "STOOOOP",
    "ya no queremos que nos manden mensajes",
    "no hace falta que me sigan mandando mensajes",
    "no sigan escribiendo, ya estamos bien",
    "que ya no manden esos mensajes aqui",
    "me salgo de la lista",
    "quiero que me borren de la lista de avisos",
    "sáquenme de los mensajes porfa",
    "suspendan los avisos a este número",
    "¿cómo hago para dejar de recibir sus mensajes?",
    "nunca pedí estos mensajes",
    "ya me tienen harta con tantos avisos",
    "ke ya no me yeguen mensajes",
    # blocked from the system, deleted with thanks, off the messaging system
    "please block my number from your system",
    "bloqueen mi número de su sistema por favor",
    "delete my number from your list, thanks and god bless",
    "could you delete my number and thank you",
    "bórrenme de su sistema de avisos",
    "can you guys remove me",
    "you guys delete my number please",
]


@pytest.mark.parametrize("text", STAYING)
def test_asking_to_stay_is_not_a_stop(text):
    assert not keywords.asks_to_stop(text)
    assert keywords.match(text) != keywords.OPT_OUT
    # nor when the model is sure it read a stop
    assert not keywords.model_stop_is_sure(text, 0.99, 0.8)


@pytest.mark.parametrize("text", STILL_STOPPING)
def test_requests_beside_those_words_still_stop(text):
    assert keywords.asks_to_stop(text)
    assert keywords.match(text) == keywords.OPT_OUT


@pytest.mark.parametrize("text", LEFT_TO_THE_MODEL)
def test_the_rules_leave_these_to_the_model(text):
    assert not keywords.asks_to_stop(text)
    assert keywords.match(text) != keywords.OPT_OUT
