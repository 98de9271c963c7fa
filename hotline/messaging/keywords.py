"""Keywords, matched before the assistant sees a message.

Carriers and Twilio treat a message that is only one of these words as an opt-out, opt-in or
help request; Spanish words are our own (Twilio's Advanced Opt-Out adds them on the Messaging
Service). Case, accents and surrounding punctuation do not matter.

AVISAME / AVÍSEME / NOTIFY ME ("tell me when registration opens") is the hotline's own: the
answers teach it, so it must work whatever the model makes of it. It may carry a few words of
the same request ("avísame cuando abra el registro"), and nothing else: a message that says
more (a danger, a question) goes to the assistant.

>>> match("Stop")
'opt_out'
>>> match(" ¡Cancelár! ")
'opt_out'
>>> match("alta")
'opt_in'
>>> match("AYUDA")
'help'
>>> match("stop sending me the wrong info") is None
True
>>> match("Avísame cuando abra"), match("NOTIFY ME please")
('notify_me', 'notify_me')
>>> match("avisame si me quieren hacer daño") is None
True
"""

from __future__ import annotations

import re

from hotline.messaging import language
from hotline.text import fold

OPT_OUT = "opt_out"
OPT_IN = "opt_in"
HELP = "help"
NOTIFY_ME = "notify_me"
MY_DATA = "my_data"  # the right of access: a short summary of what is kept about them

_KEYWORDS = {
    OPT_OUT: {
        # Twilio's default list (REVOKE and OPTOUT since 2025; "OPT-OUT" folds to "opt out").
        "stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout", "opt out",
        "parar", "alto", "baja", "cancelar",
    },
    OPT_IN: {"start", "unstop", "alta", "inicio"},
    HELP: {"help", "ayuda"},
    MY_DATA: {"mis datos", "my data", "misdatos", "mydata"},
}
_LOOKUP = {word: kind for kind, group in _KEYWORDS.items() for word in group}

# The custom message the assistant sends when its model read a request to stop messages that no
# keyword or rule here matched (`actions/opt_out.py`): {STOP_REQUEST: the model's confidence}.
STOP_REQUEST = "hotline_stop_request"

# Which language a keyword itself signals, so a first message of "BAJA" gets a Spanish reply.
SPANISH_KEYWORDS = {"parar", "alto", "baja", "cancelar", "alta", "inicio", "ayuda", "mis datos",
                    "misdatos"}

# AVISAME as people write it: tú, usted, plural, with or without accents and spaces.
_NOTIFY_SPANISH = ("avisame", "aviseme", "avisenme", "me avisan", "me avisas", "me avisa")
_NOTIFY_ENGLISH = ("notify me", "notifyme", "notify")
# Words that may follow it and still only ask to be told ("... cuando abra el registro").
_NOTIFY_TAIL = {
    "cuando", "si", "abra", "abran", "abre", "abren", "se", "el", "la", "los", "las", "un",
    "una", "registro", "registros", "inscripcion", "de", "del", "nuevo", "otra", "vez", "hay",
    "aqui", "por", "favor", "porfa", "porfavor", "plis", "gracias", "mensaje", "ya", "me", "lo",
    "when", "if", "it", "opens", "open", "registration", "registrations", "again", "there",
    "is", "please", "pls", "thanks", "thank", "you", "here", "by", "text", "sms",
}


def _notify_me(folded: str) -> str | None:
    for phrase in _NOTIFY_SPANISH + _NOTIFY_ENGLISH:
        if folded == phrase or folded.startswith(phrase + " "):
            rest = folded[len(phrase):].split()
            if len(rest) <= 6 and all(word in _NOTIFY_TAIL for word in rest):
                return phrase
    return None


def match(body: str) -> str | None:
    """The keyword kind when the whole message is one keyword, or a request in the person's
    own words to stop receiving messages (`asks_to_stop`), else None."""
    folded = fold(body)
    if folded in _LOOKUP:
        return _LOOKUP[folded]
    if _notify_me(folded):
        return NOTIFY_ME
    return OPT_OUT if asks_to_stop(body) else None


def is_cancel(body: str) -> bool:
    """CANCEL or CANCELAR, which also mean "stop this registration" while one is open.

    >>> is_cancel("Cancelar"), is_cancel("STOP")
    (True, False)
    """
    return fold(body) in ("cancel", "cancelar")


# Opting out in people's own words. US rules (April 2025) require honouring a request to stop
# "made by any reasonable means", so such a message gets STOP's one confirmation. Each pattern
# needs both halves of the request, a stopping and the messages, so that "stop, I have a
# question" or "no me llegan los mensajes" reach the assistant; `_NOT_STOPPING` then keeps out
# what only looks like a request to stop (voice notes, wrong information, "don't stop").
_MESSAGES_ES = (r"(?:mensajes?|mensajitos?|textos?|sms|msj|msjs|mjs|whats(?:app)?|"
                r"notificacion(?:es)?|alertas|avisos|recordatorios|comunicados)")
# Only the forms that ask ("no me manden", "dejen de escribirme"), never the ones that tell
# ("no me escribieron la fecha", "no me mandan nada"), and no "llamar" ("no me llamo así").
_SEND_ES = (r"(?:mand(?:e|es|en|ar|arme|arnos|ando|andome|andonos)|"
            r"(?:en[vb]|emb)i(?:e|es|en|ar|arme|arnos|ando|andome|andonos)|"
            r"escri[bv](?:a|as|an|ir|irme|irnos|iendo|iendome|iendonos)|texte(?:e|es|en|ar|arme|ando)|"
            r"contact(?:e|es|en|ar|arme|ando)|mensaje(?:e|en|ar|arme)|llegue|lleguen|yegue|yeguen|"
            r"(?:h?agan|h?aga) llegar)\b")
# "no me manden a México" is being sent, not texted; "a este número" is where texts go.
# ...nor money or people: "no me manden dinero", "no sigan mandando gente a la frontera".
_NOT_A_PLACE = (r"(?! (?:a|al|pa|para)\b(?! (?:este|esta|mi|mis) (?:numero|cel|celular|"
                r"telefono|whats\w*))| (?:de regreso|de vuelta|devuelta|otra vez a|lejos|fuera|"
                r"dinero|plata|feria|lana|gente|personas|papeles|documentos)\b)")
_MESSAGES_EN = (r"(?:messages?|mesages?|massages?|texts?|txts?|sms|msgs?|notifications?|alerts?|"
                r"notices|"
                r"whatsapps?|reminders?|updates|communications?)")
_SEND_EN = (r"(?:text|texting|txt|txting|message|messaging|msg|contact|contacting|write|"
            r"writing|email|emailing|bother|bothering|spam|spamming|sms|sending|whatsapp|"
            r"whatsapping)\b")
# "remove me", "delete my number" said to us, not of us: no subject, modal or "to" before it
# ("they want to remove me", "ICE could remove me", "if they remove me" are about deportation).
_TOLD_TO_US = "".join(rf"(?<!\b{w} )" for w in (
    "to", "will", "would", "could", "can", "cant", "cannot", "might", "may", "should", "must",
    "wont", "gonna", "not", "dont", "and", "if", "they", "he", "she", "it", "ice", "i", "we",
    "who", "judge", "officer", "government", "no", "never",
    # a question about what we did or will do: "did you block my number", "when you delete my
    # number, will I still get the notices?" (but "can you guys remove me" asks)
    "did you", "did u", "didnt you", "have you", "when you"))
_POLITE_TAIL = (r"(?: (?:now|please|pls|plz|asap|immediately|already|thanks|thank you|god bless|"
                r"you all|and|ya|por favor|porfa|porfavor|gracias|xfa|y|dios los bendiga))*$")
# off the list of those written to: "off your list", "de sus mensajes". Not "from your
# database / de su sistema": that asks to erase what we keep (delete_data asks first).
_OFF_THE_LIST_EN = (r"(?: off| (?:off|from|out of)(?: (?:the|your|ur|this|all))? (?:\w+ )?"
                    r"(?:list|lists|contacts|group|chat|texts|messages))?")
_OFF_THE_LIST_ES = (r"(?: (?:de|del)(?: (?:la|su|sus|esta|este|los))? (?:\w+ )?(?:lista|listas|"
                    r"contactos|grupo|mensajes|envios))?")
_STOP_PATTERNS = [re.compile(p) for p in (
    # "I did not sign up for this, remove me", "PLEASE remove me from your list"
    rf"{_TOLD_TO_US}\bremove (?:me|us){_OFF_THE_LIST_EN}{_POLITE_TAIL}",
    rf"\b(?:you|u) to remove (?:me|us){_OFF_THE_LIST_EN}{_POLITE_TAIL}",
    # "enough already. delete my number", "block my number"
    rf"{_TOLD_TO_US}\b(?:take|remove|delete|erase|block) (?:my|this) (?:phone |cell )?"
    rf"(?:number|contact){_OFF_THE_LIST_EN}{_POLITE_TAIL}",
    # "block my number from your system": blocking is about being written to, where deleting
    # from a system asks to erase what we keep
    rf"{_TOLD_TO_US}\bblock (?:my|this) (?:phone |cell )?(?:number|contact)"
    rf" (?:from|in|on) (?:your|ur|the) (?:system|database|service){_POLITE_TAIL}",
    rf"(?<!\bno )\b(?:bloqueen|bloquee|bloquear) (?:mi|este) (?:numero|contacto|celular|cel|"
    rf"telefono) (?:de|en) (?:su|el) (?:sistema|servicio){_POLITE_TAIL}",
    # "eliminen mi número por favor", "favor de borrar mi contacto", "bloqueen mi número"
    rf"(?<!\bno )\b(?:eliminen|elimine|eliminar|borren|borre|borrar|quiten|quite|quitar|bloqueen|"
    rf"bloquee|bloquear) (?:mi|este) (?:numero|contacto|celular|cel|telefono)"
    rf"{_OFF_THE_LIST_ES}{_POLITE_TAIL}",
    # "ya no quiero ser parte de este grupo", "I don't want to be part of this group anymore"
    r"\bno (?:quiero|kiero|deseo|quisiera) (?:ser|seguir siendo|formar) parte (?:de|del) "
    r"(?:este|esta|el|su|la|sus) (?:grupo|lista|chat|servicio|mensajes)\b",
    r"\b(?:dont|don t|do not|no longer) (?:want|wish|wanna) (?:to )?be (?:a )?part of "
    r"(?:this|the|your|ur) (?:group|list|chat|service|texts|messages)\b",
    # ya no me manden / no me sigan mandando / no me vuelvan a escribir / que no me lleguen
    # ...but not "que no me manden a México otra vez" / "de regreso": being sent, not texted.
    # ...also "no quiero que me escriban", "no me estén mandando", "ni me escriban".
    rf"\b(?:no|ni) (?:(?:quiero|kiero|quisiera|deseo|ocupo|necesito) (?:que|q|k) )?(?:me |nos )"
    rf"(?:sigan |siga |sigas |vuelvan a |vuelva a |vuelvas a |esten |este |estes )?{_SEND_ES}"
    rf"{_NOT_A_PLACE}",
    # "no escriban más", "no manden nada", "no escribir a este número": no "me", so only
    # with what says it is about messages to this phone.
    rf"\bno {_SEND_ES} (?:mas|nada(?! de (?:dinero|plata|pago))|{_MESSAGES_ES}|"
    r"a (?:este|mi) (?:numero|cel|celular|telefono|whats\w*))\b",
    rf"\bno {_SEND_ES}(?: (?:mas|por favor|porfa|porfavor|xfa|gracias))*$",
    # dejen de / deja de / paren de / basta de ... escribirme / mandarme mensajes / molestarme
    rf"\b(?:dej\w* de|par\w* de|basta (?:ya )?de) (?:\w+ ){{0,2}}(?:{_SEND_ES}|molestar\w*)",
    # no quiero (recibir) (más) mensajes / ya no quiero sus textos / no más mensajes
    rf"\bno (?:quiero|kiero|quisiera|kisiera|deseo|necesito|ocupo|quiere|queremos) "
    rf"(?:\w+ ){{0,3}}{_MESSAGES_ES}",
    # quisiera ya no recibir mensajes / no recibir más avisos
    rf"\bno (?:seguir )?(?:recibir|resibir) (?:\w+ ){{0,2}}{_MESSAGES_ES}",
    # "ya no le manden" (to a daughter's phone) only as the end of the message: "no le manden
    # dinero al coyote" is not about messages.
    rf"\bya no (?:le|les) {_SEND_ES}(?: (?:mas|nada|{_MESSAGES_ES}|por favor|porfa|gracias))*$",
    r"\bnome ?(?:manden|mande|escriban|escriba)\b",
    rf"\bdej\w*(?:me|nos) en paz (?:\w+ ){{0,2}}{_MESSAGES_ES}",
    # ya no quiero recibir información / avisos; ya no quiero estar en la lista
    r"\bno (?:quiero|kiero|deseo|quisiera) (?:seguir )?(?:recibi\w*|resibi\w*) (?:\w+ ){0,2}"
    r"(?:informacion|info|avisos|noticias|nada)\b",
    r"\bno (?:quiero|kiero|deseo|quisiera) (?:estar|seguir|aparecer) en (?:la|su|sus|esta) "
    r"(?:\w+ )?listas?\b",
    # "no más mensajes", "no mas texts"; "nada más" only as the whole request: inside a sentence
    # it means "only" ("quiero nada más los avisos de la corte")
    rf"\b(?:no|ya no) mas (?:{_MESSAGES_ES}|{_MESSAGES_EN})",
    rf"^(?:ya )?nada mas {_MESSAGES_ES}{_POLITE_TAIL}",
    rf"\bya no {_MESSAGES_ES}\b",
    rf"\bbasta (?:ya )?de {_MESSAGES_ES}",
    rf"\bbaja de (?:los|sus|estos|las) {_MESSAGES_ES}",
    # paren / detengan / cancelen los mensajes; no me interesan sus mensajes
    rf"\b(?:paren|pare|parar|detengan|detener|corten|cortar|cancelen|cancelar|quiten|alto a|"
    rf"cesen|cese|cesar|suspend\w*|"
    rf"desactiv\w*|apag\w*) (?:\w+ ){{0,2}}{_MESSAGES_ES}",
    rf"\bno (?:me |nos )?interes\w* (?:\w+ ){{0,2}}{_MESSAGES_ES}",
    r"\bno (?:me|nos) molest(?:en|es)\b",
    r"\bsal(?:ir|irme|irnos|gan|ganme|game|go)\w* de (?:la|esta|su|sus|los|estos) "
    r"(?:\w+ )?(?:lista|listas|mensajes|servicio)\b",
    # dar(me) de baja / desuscribirme / quítenme (de la lista) / sáquenme de la lista
    # ...not "dar de baja mi lugar en el albergue": something other than the messages
    r"\b(?:dar|darme|darnos|den|denme|denos|doy|deme) de baja\b(?! (?:mi|el|la|los|las|un|una|"
    r"su) (?!numero|cel|celular|telefono|whats\w*|suscripcion|mensajes?)\w+)",
    r"\b(?:desuscrib|desubscrib|desinscrib|dessuscrib)\w*",
    # ...also "de su sistema de mensajes", "del servicio de avisos"
    rf"\b(?:quit|kit|saq|sac|borr|elimin)\w*(?:me|nos) (?:de|del) "
    rf"(?:(?:la|las|esta|estas|su|sus|los|estos) )?(?:\w+ (?:de )?)?(?:listas?|contactos|grupo|"
    rf"envios|{_MESSAGES_ES})\b",
    # ...mi número de su lista / de los mensajes
    rf"\b(?:quit|kit|saq|sac|borr|elimin)\w* (?:mi|nuestro|este) (?:numero|celular|telefono|"
    rf"contacto) de (?:(?:la|esta|su|sus) (?:\w+ )?listas?\b|(?:los|sus|estos) {_MESSAGES_ES})",
    r"\bcancel\w* (?:la |mi |el |su )?(?:suscripcion|subscripcion)",
    # stop texting me / stop sending (me) messages / quit messaging me
    # ...not "stop sending money", "stop sending to my old number" ("to me" still asks)
    rf"\b(?:stop|quit|cease) (?:\w+ ){{0,1}}{_SEND_EN}"
    r"(?! (?:money|my|the|for)\b| to (?!(?:me|us|this (?:number|phone))\b))",
    # "Can u not send me anything else?", "please forget my number", "olviden mi número"
    # ...only with what not to send: "could you not send me the date?" asks for the date
    rf"\b(?:can|could|would) (?:you|u|yall) (?:please |pls )?not (?:send|text|message|write|"
    rf"contact) (?:me|us)(?: (?:anything|any ?more|more|nothing|again)\b| (?:these |any )?"
    rf"{_MESSAGES_EN}\b|$)",
    r"^(?:please |pls |plz |por favor )?(?:forget|olviden|olvide) (?:my|mi|este) (?:phone |cell )?"
    r"(?:number|numero)\b",
    # "I don't want to receive any more information from you"
    r"\b(?:dont|don t|do not) (?:want|wish) (?:to )?(?:receive|get) any ?more (?:information|info|"
    r"updates)\b",
    # "the messages keep coming and I dont want them", "why do u keep sending these, i dont want
    # them" (not "... I dont want them to stop")
    rf"\b(?:{_MESSAGES_EN} (?:keep|keeps) (?:coming|arriving)|keep (?:sending|texting) (?:me )?"
    rf"(?:these|this|them|those|{_MESSAGES_EN}))\b.*\b(?:dont|don t|do not) want (?:them|these|it)"
    r"\b(?! to\b)",
    # "ok i read everything but i dont want to keep getting this, delete me"
    r"\b(?:dont|don t|do not) want to (?:keep|continue) (?:getting|receiving) "
    r"(?:this|these|them|it)(?= (?:delete|remove|stop|please|pls|anymore|any more|thanks)\b|$)",
    # "whoever signed me up, I want it stopped" (only after the signing up: "I want it stopped"
    # alone can be about a danger)
    r"\b(?:signed (?:me|us) up|subscribed (?:me|us)|put my number)\b.*\b(?:i|we) want (?:it|this|"
    r"them|these) (?:stopped|to stop|gone|cancell?ed)\b",
    # "this is not the number of that person anymore. please stop": a wrong recipient, then stop
    r"\b(?:wrong number|not (?:the|his|her|their) (?:number|phone)|(?:number|phone) of (?:that|"
    r"this|another) (?:person|guy|man|woman|lady)|new owner of this number)\b.*"
    r"\b(?:please |pls |plz )?stop$",
    # "no vuelvan a escribirme", "no quiero saber nada de esos mensajes"
    rf"\bno (?:vuelvan|vuelva|vuelvas) a {_SEND_ES}",
    rf"\bno (?:quiero|kiero) saber (?:nada )?(?:mas )?de (?:\w+ )?{_MESSAGES_ES}",
    # stop the messages / stop receiving texts / stop getting these alerts / enough texts
    rf"\b(?:stop|quit|cease|end|cancel|enough) (?:\w+ ){{0,2}}{_MESSAGES_EN}",
    # don't text me / do not contact me / never message me again
    rf"\b(?:dont|don t|do not|never|no longer) (?:\w+ ){{0,1}}{_SEND_EN} (?:me|us)\b",
    # don't send me anything else / more messages (never "don't send me back")
    rf"\b(?:dont|dnt|don t|do not|never) (?:\w+ )?(?:send|snd) (?:me|us) (?:\w+ ){{0,2}}"
    rf"(?:{_MESSAGES_EN}|anything|nothing|stuff)",
    # do not text this number
    r"\b(?:dont|don t|do not|never) (?:\w+ )?(?:text|txt|message|msg|contact|send to) "
    r"(?:this|my) (?:number|phone|cell)(?: (?:anymore|again|please|pls|no more))*$",
    # take my number off / remove my number (from your list): the whole message
    r"^(?:please |pls |plz )?(?:take|remove|delete) (?:my|this) (?:phone |cell )?number"
    r"(?: off| from (?:the|your|ur|this) (?:\w+ )?list)?(?: please| pls| plz| thanks| thank you)?$",
    # i don't want (any more) messages / no more texts / i want no more messages
    rf"\b(?:dont|don t|do not|no longer) (?:want|wanna|need|wish) (?:\w+ ){{0,4}}"
    rf"(?:{_MESSAGES_EN}|be (?:texted|messaged|contacted))",
    rf"\b(?:no more|nomore|want no) {_MESSAGES_EN}",
    # "I wish to no longer receive these messages", "I'd rather not get these texts"
    rf"\b(?:to|for|rather) (?:no longer|not) (?:receive|get|be sent) (?:\w+ ){{0,2}}{_MESSAGES_EN}",
    # off the list: "pls take me off the texts", "take me out of your contacts", "count us out of
    # the messages", "drop me from the list", "take this number out"
    # ("take me out" alone is left: "get me out, I'm scared" is danger, not the messages)
    rf"{_TOLD_TO_US}\b(?:take|drop) (?:me|us) off(?: (?:the|this|your|ur|these|all|that) (?:\w+ )?"
    rf"(?:list|lists|contacts|group|chat|{_MESSAGES_EN}))?"
    r"(?= (?:please|pls|plz|now|already|thanks|thank you|if|i|my|we|because|since|so|and|bro)\b|$)",
    rf"\b(?:take|get|drop|count) (?:me|us) out of (?:the|this|your|ur|these|all|that) (?:\w+ )?"
    rf"(?:list|lists|contacts|group|chat|{_MESSAGES_EN})\b",
    r"\b(?:take|get) (?:this|my) (?:phone |cell )?number (?:out|off)\b",
    rf"\b(?:my|this) number removed from (?:\w+ ){{0,2}}(?:list|lists|{_MESSAGES_EN})\b",
    # "kindly discontinue all messages", "if you stopped messaging this number", "stop to send"
    rf"\bdiscontinu\w* (?:\w+ ){{0,2}}{_MESSAGES_EN}",
    rf"\bif (?:you|u|yall|y all) (?:would |could )?(?:stop|stopped|quit) (?:\w+ )?{_SEND_EN}",
    r"\bstop to (?:send|text|write|message)\b",
    rf"\b{_MESSAGES_EN} to (?:end|go away|quit)\b",
    # "dont send me any more please", "please dont send messages here", "dont write here again",
    # "please dont send them to me anymore", "dnt snd me msgs", "no need to keep sending"
    rf"\b(?:dont|dnt|don t|do not) (?:send|snd) (?:me|us) (?:\w+ ){{0,2}}"
    rf"(?:any ?more|nothing else|more){_POLITE_TAIL}",
    rf"\b(?:dont|dnt|don t|do not) (?:send|snd) (?:\w+ )?{_MESSAGES_EN} "
    r"(?:here|to this (?:number|phone))",
    r"\b(?:dont|dnt|don t|do not) (?:send|snd) (?:these|those|them|this|it) (?:here|to this "
    r"(?:number|phone)|(?:to (?:me|us) )?(?:anymore|any more|again))\b",
    r"\b(?:dont|don t|do not) (?:write|text|txt|message|msg) (?:here |to me |to us )?"
    r"(?:anymore|any more|again)\b",
    rf"\bno (?:more |further )?need to (?:keep )?(?:sending|texting|writing|messaging|send|text|"
    rf"write|message)"
    rf"(?: (?:me|us))?(?: (?:{_MESSAGES_EN}|anything|anymore|any more))*"
    r"(?=$| (?:please|thanks|take)\b)",
    # "how do i get off this thing", "how do i leave this"
    r"\bhow (?:do|can) (?:i|we) (?:get off|leave|get out of) (?:this|these)(?: (?:list|thing|"
    r"texts|messages|group|service))?$",
    # Spanish: "ya no quiero que mande", "no hace falta que me sigan mandando", "no sigan
    # escribiendo", "que ya no manden esos mensajes aquí", "me retiro de la lista de avisos"
    rf"\bya no (?:quiero|queremos|kiero) (?:que|q|k) (?:me |nos )?{_SEND_ES}{_NOT_A_PLACE}",
    rf"\bno (?:hace falta|es necesario|necesitan) que (?:me |nos )?(?:sigan |siga )?{_SEND_ES}"
    rf"{_NOT_A_PLACE}",
    rf"\bno (?:sigan|siga|sigas) {_SEND_ES}(?: (?:mas|nada|{_MESSAGES_ES}|por favor|porfa|gracias|"
    r"aqui))*(?:$| (?:ya|que|pues|por que|porque|xq)\b)",
    rf"\bno {_SEND_ES} (?:(?:esos|estos|sus|los|las|mas) ){_MESSAGES_ES}",
    rf"\bme (?:salgo|retiro|doy de baja) de (?:la|esta|su|sus|los) (?:(?:lista|grupo)"
    rf"(?: de (?:\w+ )?{_MESSAGES_ES})?(?! de)|(?:\w+ )?{_MESSAGES_ES})\b",
    rf"\bme (?:borren|quiten|saquen|eliminen|borre|quite|saque|elimine) de (?:la|esta|su|sus|los) "
    rf"(?:\w+ )?(?:listas?|{_MESSAGES_ES}|envios|contactos|grupo)\b",
    rf"\bno me tomen en cuenta (?:para|en) (?:los|sus|las) {_MESSAGES_ES}",
    rf"\b(?:se puede|puedo|podemos|como (?:le )?(?:hago|puedo)(?: para)?) dejar de recibir "
    rf"(?:(?:sus|los|las|tantos|tantas|estos|estas) )?(?:esto|estos|{_MESSAGES_ES})\b",
    rf"\bnunca (?:pedi|pedimos) (?:estos|sus|esos|los|las|estas) {_MESSAGES_ES}",
    rf"\bme (?:tienen|tiene) (?:harto|harta|hartos|hartas) (?:de|con) "
    rf"(?:\w+ ){{0,2}}{_MESSAGES_ES}",
    # unsubscribe me / opt me out / take me off the list / remove me from this list
    r"\b(?:unsubscrib\w*|unsuscri\w*|unsub|opt (?:me |us )?out|optout)\b",
    # "remove me" / "take me off (the list)" as the whole message: in immigration English
    # "removed" is deported, so "they want to remove me" or "will I be removed" never count.
    r"^(?:please |pls |plz )?(?:remove|take) (?:me|us)(?: off)?(?: (?:off|from) (?:(?:the|this|"
    r"your|ur|all|my) )?(?:\w+ )?(?:list|lists|contacts|texts|messages))?"
    r"(?: please| pls| plz| thanks| thank you)*$",
    rf"\b{_MESSAGES_EN} to stop\b",
    r"^(?:dont|don t|do not) (?:text|txt|message|msg|contact)(?: me| us)?"
    r"(?: anymore| again| please| pls| no more)*$",
    r"\b(?:take|remove|get|delete|drop) (?:me|us|my number|this number) (?:off|from|out of) "
    r"(?:the|this|your|ur) (?:\w+ )?list\b",
    r"\bcancel (?:my |the |this )?(?:subscription|texts|messages)",
    # a reason, then the keyword: "wrong number, stop", "not interested. STOP"
    r"^(?:wrong number|not interested|no thanks|no thank you|numero equivocado|no me interesa|"
    r"no gracias)(?: please| pls| por favor)? (?:stop|alto|baja|parar|unsubscribe)$",
    # "how many times do i have to say stop", "i told you to take me off and you still text me"
    r"\bhow many times (?:do|must|should|will) (?:i|we) (?:have to |need to )?(?:say|tell you|ask|"
    r"write|text|send) (?:you )?(?:to )?(?:stop|unsubscrib\w*|remove me|take me off)"
    r"(?= (?:already|again|for|before|until|and|but|to you|texting|messaging|sending)\b|$)",
    rf"\b(?:i|we) (?:already )?(?:told|asked) (?:you|u|yall|you guys) (?:\w+ ){{0,3}}to (?:stop(?: "
    rf"(?:texting|messaging|sending|writing)\b| (?:the |these |your |ur )?{_MESSAGES_EN}|(?= and\b|"
    rf"$))|take (?:me|us) (?:out|off)(?! of (?:the )?(?:waiting|court|shelter))|remove (?:me|us)"
    rf"(?= and\b|$)|unsubscribe (?:me|us))",
    # "ok im good, u can remove me now": permission given to us
    rf"\b(?:you|u|yall|you guys) (?:can|may) (?:now )?remove (?:me|us|my number){_OFF_THE_LIST_EN}"
    rf"{_POLITE_TAIL}",
    # "block this number on your side", "dont include me in this no more"
    r"\bblock (?:my|this) (?:phone |cell )?number on (?:your|ur) (?:side|end)\b",
    rf"\b(?:dont|don t|do not) include (?:me|us|my number) in (?:this|these|your|ur)"
    rf"(?: (?:\w+ )?(?:list|group|chat|{_MESSAGES_EN}))?"
    r"(?: (?:anymore|any more|no more|please|pls))*$",
    # "pls take it off your list" (the number)
    r"\btake (?:it|this|that) off (?:the|your|ur) (?:\w+ )?list\b",
    # "i want them to end", "dont send me the news about the program anymore" (not "back",
    # money or people)
    rf"\b(?:i|we) want (?:them|these|those|the {_MESSAGES_EN}) to (?:end|go away)\b",
    r"\b(?:dont|dnt|don t|do not) (?:send|snd) (?:me|us) (?!(?:back|to|money|people|anyone|"
    r"someone)\b)(?!(?:\w+ ){0,4}(?:papers|documents|forms|letters|packages|money|food|people)\b)"
    r"(?:\w+ ){3,5}(?:any ?more|no more)(?: (?:please|pls|plz|thanks|thank you))*$",
    # "ya me pueden sacar de la lista", "las noticias ya no las quiero recibir"
    rf"\bya (?:me|nos) (?:pueden|puede) (?:sacar|quitar|borrar|eliminar|dar de baja)"
    rf"(?: de (?:la|su|sus|esta|los|estos) (?:\w+ )?(?:listas?|{_MESSAGES_ES}|contactos))?"
    r"(?: (?:por favor|porfa|gracias|ya))*$",
    rf"\b(?:{_MESSAGES_ES}|noticias|informacion)\b.{{0,60}}\bya no (?:las|los) (?:quiero|kiero|"
    rf"deseo|necesito) (?:recibir|resibir)\b",
    # English as Spanish speakers write it: "please not send me more message", "no text me
    # more", "i no want more messages" (only from the start or after please: "they did not
    # send me the date" is a complaint)
    r"(?:^|please |pls |plz |por favor )(?:not|no) (?:more )?(?:send|text|txt|message|msg|"
    r"write|whatsapp)(?: me| us)?\b",
    rf"\bi (?:no|not) (?:want|need) (?:\w+ ){{0,2}}{_MESSAGES_EN}",
    rf"\b(?:dont|don t|do not|never) send (?:\w+ ){{0,2}}(?:more|anymore)\b.*"
    rf"\b(?:{_MESSAGES_EN}|phone|number|cell)\b",
    rf"\b(?:turn off|switch off|shut off|disable|block|mute|cut (?:it )?out|quit it) "
    rf"(?:\w+ ){{0,3}}{_MESSAGES_EN}",
    rf"\bmake (?:the |these |your |ur )?(?:{_MESSAGES_EN}|notices) (?:stop|go away)\b",
    rf"\bleave (?:me|us) alone (?:\w+ ){{0,2}}{_MESSAGES_EN}",
    r"\bout of (?:this|the|your|ur) (?:text |message |sms )?list\b",
    rf"\bremove (?:me|us|my number) from (?:the|these|your|ur|this) (?:\w+ )?{_MESSAGES_EN}",
    rf"\b{_MESSAGES_EN} stop$",
    rf"\b{_MESSAGES_EN}\b.* stop (?:them|it|all)(?: (?:please|pls|plz|now|thanks|thank you))*$",
    r"\b(?:stpo|sotp|stpp|sop) (?:\w+ )?(?:texting|messaging|sending|text|message)\b",
    r"\bunsu(?:b|sc)\w*",
)]
# Someone else who keeps writing to them: "a smuggler won't quit messaging me", "telcel wont
# stop sending me promos", "un señor me manda mensajes a diario, cómo hago que ya no me escriba".
# They ask how to stop another sender, and a stop would silence us instead, with the scam or
# the danger they wrote about unanswered. Only a sender named as the subject of the sending:
# "my sister said you keep texting her" still asks us.
_OTHER_SENDER_EN = (
    r"(?:he|she|someone|somebody|(?:a|an|the|this|that|some) (?:guy|man|woman|lady|dude|person|"
    r"stranger|number|company|smuggler|coyote|scammer|landlord|bank|lawyer|notary|agency)|"
    r"my (?:ex|sister|brother|mom|mother|dad|father|cousin|aunt|uncle|boss|landlord|husband|wife|"
    r"boyfriend|girlfriend|neighbor|neighbour|family)|smugglers|coyotes|scammers|telcel|movistar|"
    r"at ?t|at&t|t mobile|verizon|unefon)")
_OTHER_SENDER_ES = (
    r"(?:alguien|(?:un|una|el|la|ese|esa|este|esta|mi|otro|otra|unos|unas|los|las) (?:senor|senora|"
    r"senores|senorita|muchacho|muchacha|hombre|mujer|tipo|tipos|vato|chavo|coyote|coyotes|pollero|"
    r"polleros|dueno|duena|casero|casera|numero|compania|empresa|banco|ex|hermano|hermana|mama|"
    r"papa|primo|prima|tio|tia|jefe|jefa|esposo|esposa|novio|novia|vecino|vecina|persona|"
    r"extorsionador|extorsionadores|estafador|estafadores|licenciado|abogado|notario|desconocido|"
    r"encargado|encargada|patron|patrona)|"
    r"telcel|movistar|at ?t|at&t|unefon)")
_OTHER_SENDER = (
    rf"\b{_OTHER_SENDER_EN} (?:(?:still|just|always|really|literally|constantly|also) )?"
    r"(?:wont|won t|will not|doesnt|doesn t|does not|keeps|keep|never|is always|has been) "
    r"(?:stop |quit )?(?:sending|texting|txting|messaging|calling|writing|bothering|spamming|"
    r"harassing|contacting)\b|"
    rf"\b{_OTHER_SENDER_ES} (?:(?:de|del|de la) \w+ )?(?:que (?:\w+ ){{0,4}})?"
    r"(?:(?:siempre|todavia|diario|a diario|ya|tambien) )?"
    r"(?:me|nos) "
    r"(?:sigue |siguen |esta |estan )?(?:manda|mandan|escribe|escriben|envia|envian|textea|"
    r"textean|molesta|molestan|llama|llaman|mandando|escribiendo|enviando|marcando|acosa|acosan)\b|"
    rf"\b{_OTHER_SENDER_ES} (?:de \w+ )?(?:no )?(?:me |nos )?(?:deja|dejan|deje|dejen) de "
    r"(?:mandar|escribir|enviar|molestar|llamar|textear)\w*|"
    # "unsubscribe from the phone company messages", "me doy de baja de la publicidad"
    r"\b(?:unsubscrib\w*|opt out|get off|dar\w* de baja|doy de baja|desuscrib\w*) (?:from |of |de )"
    r"(?:the |their |his |her |la |las |los |sus |esa |esas |eso\b)(?:\w+ ){0,3}?(?:company|phone "
    r"company|store|bank|ads|promos?|promotions|publicidad|promociones|compania|tienda|banco|"
    r"anuncios)\b|"
    # they won't leave me alone: "los del cártel no me dejan en paz" (a danger, not a request)
    r"(?:no (?:me|nos) (?:dejan|deja) en paz|(?:wont|won t|will not|dont|don t|doesnt|doesn t) "
    r"leave (?:me|us) alone)|"
    r"\bhow (?:do|can) (?:i|we) (?:make|get) (?:him|her|my \w+|this \w+|that \w+) (?:to )?stop\b")
_NOT_STOPPING = re.compile(
    # voice notes and calls: "no me manden audios", "call me instead" (but "no more texts, no
    # more calls" asks for neither)
    r"\b(?:voz|voice|audio|audios|(?<!no more )(?<!no mas )(?:llamadas?|calls?)|"
    r"wrong(?! (?:number|person|phone|guy|man|woman|lady|family))|"
    r"(?<!numero )(?<!persona )equivocad\w*|"
    r"no (?:dej\w*|par\w*) de|(?:dont|don t|do not|never) stop|no me (?:llega|llegan|"
    r"llego|ha llegado|han llegado)|"
    # not getting them (a complaint), but "I'd rather not get / wish to no longer receive" asks
    r"(?<!\bto )(?<!rather )(?:never|not|didnt|didn t|havent|haven t|no longer|stopped) "
    r"(?:got|get|getting|gotten|received|receive|receiving)|"
    # "stop, I have a question" (not "me pregunta quién es": he asks me; nor "no questions",
    # "sin preguntarme")
    r"(?<!\bme )(?<!\bnos )(?<!\ble )(?<!\bno )(?<!\bsin )(?:pregunt|duda)\w*|"
    r"(?<!\bno )question\w*|"
    # "why did you stop texting me", "y u stop txtin me": they want the messages back
    r"(?:why|y|how come) (?:(?:did|have|has|do) )?(?:you|u|yall|y all|they) (?:\w+ )?stop\w*|"
    r"(?:por que|porque|xq|pq) (?:\w+ ){0,2}(?:dejaron|dejo|pararon|paro)|"
    r"no (?:me |nos )(?:dej\w*|par\w*) de|"
    # another list: the waiting list, the court's, the shelter's, the registration itself
    r"(?:waiting|wait|court|registration|mpp|asylum|shelter|hearing) lists?|"
    r"lista (?:de|del) (?:espera|registro|mpp|albergue|corte|la corte|citas|asilo)|"
    # a change of language or channel, not of whether to write
    r"in (?:english|spanish)|en (?:ingles|espanol)|instead|en vez|en lugar|"
    r"(?:mejor|prefiero|preferiria) (?:por|en|x) (?:mensaje|mensajes|sms|texto|textos|whats\w*|"
    r"correo)|(?:better|rather|prefer\w*)(?: by| on| in)? (?:sms|text|texts|whatsapp|email)\b|"
    r"(?:sms|texts?|text messages|whatsapp|mensajes de texto) (?:are|is|would be|son|es) "
    r"(?:better|mejor|mejores)\b|"
    # a new number: "stop sending to my old number, use this one now"
    r"(?:my |mi )?(?:old|previous|former) (?:phone |cell )?number|"
    r"(?:numero|celular|telefono) (?:anterior|viejo|antiguo)|(?:use|usen|use este) (?:this|este) "
    r"(?:one|number|numero)\b|"
    # asking about them, not to end them: "how often do you send these alerts", "why you dont
    # send me the news no more", "i no receive more the message from you"
    r"how often (?:do|will|does|would) (?:you|u|yall|y all|they) (?:send|text|write|message)|"
    r"(?:why|y|how come) (?:\w+ ){0,2}(?:dont|don t|do not|no|not|never) (?:\w+ )?(?:send|sending|"
    r"text|texting|write|writing|get|getting|receive|receiving)\b|"
    r"\b(?:i|we) no (?:receive|recieve|get|getting|receiving|received)\b|"
    # back on after a stop: "resubscribe me", "como deshago el stop que mande"
    r"(?<!\byou )(?<!\bthey )\bre ?(?:subscrib|suscrib)\w*|"
    r"(?:subscrib\w*|suscrib\w*) (?:me |nos )?(?:again|de nuevo|otra vez)|"
    r"(?:undo|reverse|revert\w*|deshac\w*|deshag\w*|deshizo|desago|deshago) (?:\w+ ){0,2}"
    r"(?:stop|alto|baja|unsubscrib\w*)|"
    # "there is no more water here": "no more" of something else
    r"there (?:is|are|s) no more(?! need\b)\b|"
    r"^(?:ok |okay |well )?peace out$|"
    # "don't take me off the list", "no me borren": asking to stay
    r"(?:dont|don t|do not|never) (?:take|remove|delete|erase|drop|unsubscribe) (?:me|us|my)|"
    r"no (?:me|nos) (?:quit|saqu|borr|elimin)(?:en|es|e)|no (?:me|nos) (?:den|de) de baja|"
    r"no (?:quiero|kiero|deseo|quisiera) que (?:me|nos) (?:den|de|quiten|saquen|borren|eliminen|"
    r"bloqueen)\b|"
    # not leaving: "I don't want to leave the program", "no me dejen sin información"
    r"(?:dont|don t|do not|never) (?:want to |wanna )?leave\b|no (?:me |nos )?(?:dejen|deje) sin|"
    r"no (?:quiero|kiero) salir(?:me)?\b|"
    # wanting them, in a stop's words: "I don't want to miss any messages", "I don't want to
    # unsubscribe", "no quiero perderme los avisos", "no quiero dejar de recibirlos",
    # "no quiero que me dejen de mandar", "no quiero darme de baja"
    r"\b(?:dont|don t|do not|never|cant|can t|cannot|no|afraid to|worried to) (?:\w+ ){0,2}"
    r"(?:miss|missing|lose|losing|perder\w*) (?:\w+ ){0,3}(?:messages?|texts?|alerts?|"
    r"notices?|notifications?|updates|reminders?|news|mensajes?|avisos?|alertas?|"
    r"recordatorios?|notificaciones|noticias|info\w*)|"
    r"(?:dont|don t|do not|never) (?:want|wanna|wish|mean|meant|plan|need) (?:to )?"
    r"(?:stop|quit|unsubscrib\w*|opt out|leave)|"
    r"no (?:quiero|kiero|deseo|quisiera|pienso|voy a|planeo) (?:que (?:me |nos )?)?"
    r"(?:dej\w* de|par\w* de|darme de baja|dar de baja|desuscrib\w*|salir)|"
    # removal is deportation: "they want to remove me", "ICE could remove me" (but "I want you
    # to remove me" asks us)
    r"(?:(?<!you )(?<!\bu )to|will|would|could|might|may|should|gonna|they|he|she|ice|judge) "
    r"remov\w* (?:me|us)|"
    # a stop denied: "I did not unsubscribe", "yo no me di de baja"
    r"(?:did not|didnt|didn t|never) (?:unsubscrib\w*|opt\w* out|sen[dt] stop|text\w* stop)|"
    r"no (?:me )?(?:desuscrib|di de baja|dimos de baja)\w*|"
    # what a stop would do: "if I unsubscribe, will I lose my place?", "¿qué pasa si me doy
    # de baja?" (not a bare "si": folded, "Sí, me doy de baja" says yes)
    r"\b(?:if|what happens if|que pasa si|y si|pasa algo si) (?:i |we |yo |me |nos )?(?:\w+ )?"
    r"(?:unsubscrib\w*|opt out|desuscrib\w*|doy de baja|damos de baja|send stop|text stop|"
    r"mando alto|pongo alto)|"
    r"\b(?:if|si|cuando) (?:i |yo )?(?:reply|respond|answer|write|text|send|contesto|respondo|"
    r"escribo|mando|pongo|envio) (?:\w+ )?(?:stop|alto|baja)\b|"
    r"\bwhat (?:does|do) (?:it|this|that|\w+ )?(?:\w+ ){0,4}mean\b|"
    r"\bque (?:significa|quiere decir)\b|"
    # wanting them: "I want to stay", "I hope not", "I still need them", "keep sending",
    # "you can write me at any hour, I don't mind"
    r"\b(?:i|we) (?:want|wanna|would like) to stay\b|"
    r"(?<!\bno )\bquiero (?:seguir|quedarme)\b(?! (?:sin|fuera))|"
    r"\b(?:i|we) hope not\b|\bespero que no\b|"
    r"\b(?:i|we) still (?:need|want) (?:them|the|your|it|those|these)\b|"
    r"\b(?:dont|don t|do not) want (?:them|these|it|the \w+) to (?:stop|end)\b|"
    r"\b(?:todavia|aun) (?:los|las|lo) (?:necesito|ocupo|quiero)\b|"
    r"\b(?:los|las) sigo necesitando\b|"
    r"\bbut (?:please |pls )?(?:keep|continue) (?:sending|texting|writing|messaging)\b|"
    r"\bpero (?:sigan|siga|continuen) (?:mandando|escribiendo|enviando)\b|"
    r"\b(?:i|we) (?:dont|don t|do not) mind\b|\bno (?:me|nos) molesta(?:n)?\b|"
    r"\b(?:you|u|yall) can (?:write|text|message|send)(?: (?:me|us))? (?:\w+ ){0,2}"
    r"(?:any|anytime|whenever)\b|"
    # whether we will stop: "will you stop texting me after my hearing?", "¿van a dejar de mandar
    # mensajes?", "no me vayan a dejar de escribir"
    r"\b(?:will|would|are) (?:you|u|yall|y all|they)(?: guys)? (?:\w+ )?(?:going to |gonna )?stop "
    r"(?:\w+ ){1,3}(?:after|when|once|if|before|to everybody|to everyone|to all)\b|"
    r"\b(?:van|va|vayan) a dejar de\b|"
    # leaving something else: "does leaving the shelter take me out of the program?"
    r"\bout of (?:the |this |el |del )?(?:program|programa|mpp|shelter|albergue)\b|"
    # back in after leaving: "I unsubscribed by mistake, add me again", "cómo vuelve a entrar"
    r"(?<!dont )(?<!don t )(?<!\bnot )(?<!never )(?:add|put|sign) (?:me|us) "
    r"(?:back|again|up again)|"
    r"como (?:\w+ )?(?:vuelv\w*|volver) a (?:entrar|meter\w*|inscrib\w*|registr\w*|agreg\w*|"
    r"recibir)|(?<!\bno )que me vuelvan a (?:escribir|mandar|enviar)|"
    # someone else asked, the person wants them: "I still want them", "quiero que sigan"
    r"still want (?:them|the|your|to get|to receive)|want them to (?:continue|keep)|"
    r"(?<!\bno )quiero que (?:me )?(?:sigan|continuen)|"
    # another sender's messages, theirs kept: "not from you", "los de ustedes sí"
    r"not from (?:you|u)|not (?:yours|you guys|u guys)|only want (?:yours|your)|de ustedes si|"
    r"a ustedes no(?! (?:les|me|nos|se|lo|la)\b)\b|"
    # what happens to the messages if...: "will I stop receiving messages if I move"
    r"(?:will|would) (?:i|we) stop (?:receiving|getting)|"
    # they stopped, not a request: "did you guys stop texting me",
    # "dejaron de mandarme los avisos?" (dejaron: they did; a request says dejen)
    r"(?:did|have|has) (?:you|u|yall|y all|they)(?: guys| all)? stop\w*|"
    # ...or took them off: "did you remove me", "why did you guys block my number"
    r"(?:did|have|has|(?:why|y|how come)(?: (?:did|have|has|do))?) (?:you|u|yall|y all|they)"
    r"(?: guys| all)? (?:take|took|taken|remove\w*|drop\w*|delete\w*|erase\w*|block\w*|kick\w*) "
    r"(?:me|us|my|this|our)|(?:you|u|yall|y all|they)(?: guys| all)? (?:took|removed|dropped|"
    r"deleted|erased|blocked|kicked) (?:me|us|my|this|our)|"
    r"(?:dejaron|pararon) de (?:mand|envi|escrib|lleg|avis)\w*|se (?:pararon|cortaron)|"
    # keep them coming: "no paren los avisos", "nunca dejen de", "ni se les ocurra dejar de",
    # "please no stop the message"
    r"no (?:paren|pare|corten|suspendan) (?:los|las|sus|mis|el|la)\b|nunca (?:dej|par)\w*|"
    r"ni se les ocurra|"
    r"(?:please|pls|plz|porfa) no stop\b|"
    # a stop that was a mistake or not theirs: "I unsubscribed by mistake", "me arrepentí de
    # darme de baja", "it was not me", "I did not ask to stop them"
    r"(?:unsubscrib\w*|desuscrib\w*|desubscrib\w*|desinscrib\w*|opted out|stop|alto|baja|cancel\w*)"
    r" (?:\w+ ){0,3}(?:by (?:mistake|accident)|por (?:error|equivocacion)|sin querer)|"
    r"(?:accidentally|sin querer|por error) (?:\w+ ){0,2}(?:unsubscrib\w*|desuscrib\w*|opted|sent|"
    r"texted|hit|pressed|wrote|mand\w*|puse|di de baja|escribi)|"
    r"(?:regret\w*|arrepent\w*) (?:\w+ ){0,2}"
    r"(?:unsubscrib\w*|stop\w*|leaving|salirme|darme de baja)|"
    r"(?:it )?(?:was not|wasnt|wasn t) me|no fui yo|"
    r"(?:did not|didnt|didn t|never) ask\w* (?:you |for you )?to stop|"
    # taken off without asking: "I'm worried I was erased from the list", "¿me borraron?"
    r"(?:i|we) (?:was|were|got|have been|ve been) (?:erased|removed|deleted|taken off|dropped|"
    r"unsubscribed)|(?:me|nos) (?:borraron|sacaron|quitaron|dieron de baja|bloquearon|eliminaron)|"
    r"(?:por que|porque|xq|pq) (?:\w+ ){0,2}(?:bloquearon|borraron|eliminaron))\b|"
    + _OTHER_SENDER)


_STRETCHED_STOP = re.compile(r"\bs+t+o+p+\b")
# A stop word with only politeness around it ("please stop", "STOP STOP", "ya basta").
# Not END or QUIT ("end it"), not "no more" ("no more, thanks" ends a question), no "it".
# Not "remove" alone: it confirms the erasure question (actions/privacy.py), which no keyword
# may take from the assistant.
_STOP_WORDS = {"stop", "stopall", "unsubscribe", "unsub", "revoke", "optout", "parar", "alto",
               "baja", "paren", "pare", "basta", "removeme"}
_STOP_PHRASES = {"opt out", "stop it", "no more texts", "no more messages", "no mas mensajes",
                 "no contact", "unsubscribe me", "borrenme",
                 "saquenme", "sacanme", "quitenme", "kitenme", "eliminenme", "denme de baja",
                 "darme de baja", "rmv me", "block me", "leave me alone", "dejenme en paz",
                 "dejame en paz"}
# Not "unregister me", "me salgo", "count me out": mid-registration they may leave the form only.
_POLITE = {"please", "pls", "plz", "plis", "pliz", "porfavor", "porfa", "xfa", "xfavor", "por",
           "favor", "now", "ya", "thanks", "thank", "you", "gracias", "ok", "okay",
           "already", "ahora", "just", "and", "y", "all", "todo", "asap"}


def _polite_stop(folded: str) -> bool:
    # "stopppp", "STOOOP": a stop word stretched
    folded = _STRETCHED_STOP.sub("stop", folded)
    words = [w for w in folded.split() if w not in _POLITE]
    if not words or len(words) > 4:
        return False
    return " ".join(words) in _STOP_PHRASES or all(w in _STOP_WORDS for w in words)


def asks_to_stop(body: str) -> bool:
    """True when the message asks, in the person's own words, for no more messages.

    >>> asks_to_stop("ya no me manden mensajes"), asks_to_stop("Stop texting me!!")
    (True, True)
    >>> asks_to_stop("no me manden mensajes de voz"), asks_to_stop("stop, I have a question")
    (False, False)
    """
    folded = fold(body)
    if not folded or _NOT_STOPPING.search(folded):
        return False
    return _polite_stop(folded) or any(p.search(folded) for p in _STOP_PATTERNS)


def keyword_language(body: str) -> str | None:
    """The language the keyword itself is in, if the message is a keyword.

    >>> keyword_language("BAJA"), keyword_language("Avísenme"), keyword_language("notify me")
    ('es', 'es', 'en')
    """
    word = fold(body)
    if word in _LOOKUP:
        return "es" if word in SPANISH_KEYWORDS else "en"
    phrase = _notify_me(word)
    if phrase is not None:
        return "es" if phrase in _NOTIFY_SPANISH else "en"
    if asks_to_stop(body):
        # A sentence says its own language better than any keyword could.
        return language.detect(body)[0]
    return None


def model_stop_is_sure(body: str, confidence: float, threshold: float) -> bool:
    """Whether a request to stop that only the model read opts the person out: from `threshold`
    (HOTLINE_STOP_CONFIDENCE) up, unless the rules know the words only look like a request
    ("no dejen de escribirme", "why did you stop texting me", "en inglés"). One decision for the
    gateway, the registration form and the evaluation.

    >>> model_stop_is_sure("ya estuvo con tanto mensaje", 0.9, 0.8)
    True
    >>> model_stop_is_sure("ya estuvo con tanto mensaje", 0.7, 0.8)
    False
    >>> model_stop_is_sure("no dejen de escribirme, ya no tengo a nadie", 0.99, 0.8)
    False
    """
    return confidence >= threshold and not _NOT_STOPPING.search(fold(body))


def stop_request_confidence(replies: list[dict]) -> float | None:
    """The model's confidence in a request to stop, when the assistant's replies report one.

    >>> stop_request_confidence([{"custom": {STOP_REQUEST: 0.91}}])
    0.91
    >>> stop_request_confidence([{"text": "utter_help"}]) is None
    True
    >>> stop_request_confidence([{"custom": {STOP_REQUEST: "x"}}]) is None
    True
    """
    for reply in replies:
        custom = reply.get("custom")
        value = custom.get(STOP_REQUEST) if isinstance(custom, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None
