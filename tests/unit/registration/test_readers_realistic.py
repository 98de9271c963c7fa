"""Every question's reader on at least thirty answers per language, written the way people
type them: lead-ins ("me llamo", "estoy en"), states and colonias, dates and numbers in words,
typos, "no sé". An answer the reader is unsure of raises `Invalid` (the question is asked
again); it never ends the form on a guess."""

from datetime import date

import pytest

from hotline.registration import reading
from hotline.registration.answers import Invalid

AGAIN = Invalid  # the reader is unsure: the same question again

NAMES_ES = ["Juan Pérez", "maria lopez", "José Luis Hernández Cruz", "Ana Ruiz",
            "Socorro Ayala", "Wendy Yamileth Castro", "Kevin Alexander Mejía",
            "Dania Michel Ramos", "Elmer Chávez López", "Yesenia Guadalupe Díaz"]
NAMES_EN = ["Carlos Mejia", "Rosa Diaz", "Mary Ann Lopez", "Jean-Baptiste Pierre",
            "Osman Reyes", "Luis O'Neil", "Darwin Josue Perez", "Karla Martinez",
            "Nelson Ivan Paz", "Gloria Estela Cruz"]
NAME_ES = ([(n, n) for n in NAMES_ES] + [(f"me llamo {n}", n) for n in NAMES_ES]
           + [(f"mi nombre es {n}", n) for n in NAMES_ES[:5]]
           + [(f"soy {n}", n) for n in NAMES_ES[5:]]
           + [("Me yamo Ana Ruiz", "Ana Ruiz"), ("hola, mi nombre es: Juan Pérez", "Juan Pérez"),
              ("yo soy Maria Lopez", "Maria Lopez"), ("mi nombre completo es Ana Ruiz Paz",
                                                      "Ana Ruiz Paz")]
           + [("no sé", AGAIN), ("Juan", AGAIN), ("no quiero decir", AGAIN),
              ("me llamo Juan", AGAIN), ("Juan123", AGAIN)])
NAME_EN = ([(n, n) for n in NAMES_EN] + [(f"my name is {n}", n) for n in NAMES_EN]
           + [(f"I am {n}", n) for n in NAMES_EN[:5]] + [(f"i'm {n}", n) for n in NAMES_EN[5:]]
           + [("hi, my name is Rosa Diaz", "Rosa Diaz"), ("name is Karla Martinez",
                                                          "Karla Martinez")]
           + [("idk", AGAIN), ("Carlos", AGAIN), ("anonymous", AGAIN), ("<b>Ana</b> Ruiz", AGAIN),
              ("my name is Carlos", AGAIN)])

MX, US = "MX", "US"
PLACE_ES = [
    ("Tijuana", MX), ("Tijuana, Baja California", MX), ("Baja California", MX),
    ("Mexicali Baja California", MX), ("Ensenada, B.C.", MX), ("estoy en reynosa", MX),
    ("me encuentro en Matamoros Tamaulipas", MX), ("Col. Obrera, Reynosa", MX),
    ("colonia libertad", MX), ("en la colonia Las Flores de Juárez", MX),
    ("Cd Juarez Chihuahua", MX), ("Juaritos", MX), ("Monterrey, Nuevo León", MX),
    ("en Nuevo León", MX), ("Sonora", MX), ("Nogales Sonora", MX), ("Tapachula Chiapas", MX),
    ("estamos en un albergue en Piedras Negras Coahuila", MX), ("vivo en Saltillo", MX),
    ("ahorita estoy en Nuevo Laredo", MX), ("CDMX", MX), ("estado de méxico", MX),
    ("fraccionamiento Villa Fontana, Tijuana", MX), ("Mexico", MX),
    ("Houston Texas", US), ("estoy en San Antonio", US), ("Los Ángeles, California", US),
    ("Nueva York", US), ("no sé", AGAIN), ("no se", AGAIN),
    ("en Tijuana pero mi esposo está en Houston", AGAIN), ("", AGAIN), ("12345", AGAIN),
]
PLACE_EN = [
    ("Tijuana", MX), ("I am in Tijuana, Baja California", MX), ("Baja California", MX),
    ("Mexicali, BC", MX), ("im in reynosa", MX), ("we are in Matamoros", MX),
    ("i live in Ciudad Juarez, Chihuahua", MX), ("Monterrey NL", MX),
    ("shelter in Nuevo Laredo", MX), ("Nogales, Sonora", MX), ("colonia Obrera in Reynosa", MX),
    ("Mexico City", MX), ("right now im in Piedras Negras", MX), ("Tapachula Chiapas", MX),
    ("Acuña Coahuila", MX), ("in Saltillo", MX), ("we're staying in Tijuana", MX),
    ("i'm staying in Mexicali", MX), ("Ensenada", MX), ("San Luis Rio Colorado Sonora", MX),
    ("Houston Texas", US), ("El Paso", US), ("i live in Los Angeles California", US),
    ("Phoenix Arizona", US), ("San Diego", US), ("New York", US), ("in Miami", US),
    ("idk", AGAIN), ("not sure", AGAIN), ("Tijuana but my kids are in Houston", AGAIN),
    ("<script>", AGAIN),
]

BIRTH_ES = [
    ("15/03/1988", "1988-03-15"), ("15 marzo 88", "1988-03-15"),
    ("15 de marzo de 1988", "1988-03-15"), ("el 3 de julio de 1985", "1985-07-03"),
    ("nací el 12 de diciembre de 1979", "1979-12-12"), ("12-12-1979", "1979-12-12"),
    ("quince de marzo de mil novecientos noventa", "1990-03-15"),
    ("veinte de mayo 1988", "1988-05-20"), ("el primero de enero de dos mil", "2000-01-01"),
    ("treinta y uno de diciembre de mil novecientos ochenta y cinco", "1985-12-31"),
    ("cinco de mayo del noventa y dos", "1992-05-05"),
    ("doce de octubre de mil novecientos setenta y nueve", "1979-10-12"),
    ("4 de julio del 2001", "2001-07-04"), ("2 de febrero de 1995", "1995-02-02"),
    ("8 de agosto 1970", "1970-08-08"), ("19 septiembre 1983", "1983-09-19"),
    ("19 setiembre 1983", "1983-09-19"), ("25 de disiembre de 1990", "1990-12-25"),
    ("1 de novienbre de 1999", "1999-11-01"), ("10 ene 1993", "1993-01-10"),
    ("30/06/2005", "2005-06-30"), ("06.06.1966", "1966-06-06"), ("1990-07-04", "1990-07-04"),
    ("fecha de nacimiento 3 de abril de 1987", "1987-04-03"),
    ("dos de junio de dos mil tres", "2003-06-02"), ("17 de marso de 1991", "1991-03-17"),
    ("no sé", AGAIN), ("1990", AGAIN), ("31/02/1990", AGAIN), ("mañana", AGAIN),
    ("15 de marzo de 2090", AGAIN),
]
BIRTH_EN = [
    ("March 15 1988", "1988-03-15"), ("march 15th, 1988", "1988-03-15"),
    ("July 4th, 1990", "1990-07-04"), ("4 july 1990", "1990-07-04"), ("15/03/1988", "1988-03-15"),
    ("March fifth nineteen ninety", "1990-03-05"), ("the tenth of july 1999", "1999-07-10"),
    ("may twenty second two thousand one", "2001-05-22"), ("Dec 25 1990", "1990-12-25"),
    ("december 25, 1990", "1990-12-25"), ("jan 10 93", "1993-01-10"),
    ("febuary 2 1995", "1995-02-02"), ("Aug 8 1970", "1970-08-08"),
    ("sept 19 1983", "1983-09-19"), ("1 november 1999", "1999-11-01"),
    ("i was born on june 30 2005", "2005-06-30"), ("born october 12 1979", "1979-10-12"),
    ("april 3rd 1987", "1987-04-03"), ("the first of january two thousand", "2000-01-01"),
    ("june second two thousand three", "2003-06-02"), ("nov 1 99", "1999-11-01"),
    ("january 31 nineteen eighty five", "1985-01-31"), ("1966-06-06", "1966-06-06"),
    ("march 17 1991", "1991-03-17"), ("may 5 1992", "1992-05-05"), ("Oct 1 2000", "2000-10-01"),
    ("idk", AGAIN), ("1990", AGAIN), ("February 30 1990", AGAIN), ("tomorrow", AGAIN),
    ("march 15 2090", AGAIN),
]
TODAY = date(2026, 11, 23)

COUNTRY_ES = [(t, c) for t, c in [
    ("Honduras", "HN"), ("onduras", "HN"), ("soy hondureño", "HN"), ("catracha", "HN"),
    ("Guatemala", "GT"), ("soy guatemalteca", "GT"), ("chapín", "GT"), ("guate", "GT"),
    ("El Salvador", "SV"), ("salvadoreño", "SV"), ("guanaco", "SV"), ("Nicaragua", "NI"),
    ("nica", "NI"), ("Cuba", "CU"), ("cubano", "CU"), ("Venezuela", "VE"),
    ("venezolana", "VE"), ("Colombia", "CO"), ("Ecuador", "EC"), ("ecuatoriano", "EC"),
    ("México", "MX"), ("mexicana", "MX"), ("Haití", "HT"), ("haitiano", "HT"), ("Perú", "PE"),
    ("República Dominicana", "DO"), ("dominicano", "DO"), ("de Honduras", "HN"),
    ("soy de guatemala", "GT"), ("nacionalidad: salvadoreña", "SV"), ("Brasil", "BR"),
    ("xyz", AGAIN), ("no sé", AGAIN),
]]
COUNTRY_EN = [(t, c) for t, c in [
    ("Honduras", "HN"), ("honduran", "HN"), ("i am from honduras", "HN"), ("Guatemala", "GT"),
    ("guatemalan", "GT"), ("El Salvador", "SV"), ("salvadoran", "SV"), ("Nicaragua", "NI"),
    ("nicaraguan", "NI"), ("Cuba", "CU"), ("cuban", "CU"), ("Venezuela", "VE"),
    ("venezuelan", "VE"), ("Colombia", "CO"), ("colombian", "CO"), ("Ecuador", "EC"),
    ("ecuadorian", "EC"), ("Mexico", "MX"), ("mexican", "MX"), ("Haiti", "HT"),
    ("haitian", "HT"), ("Peru", "PE"), ("peruvian", "PE"), ("Dominican Republic", "DO"),
    ("dominican", "DO"), ("Brazil", "BR"), ("brazilian", "BR"), ("from guatemala", "GT"),
    ("Hondura", "HN"), ("Guatamala", "GT"), ("Venezuala", "VE"), ("qwerty", AGAIN),
]]

A_NUMBER = "012345678"
A_ES = [("A-012-345-678", A_NUMBER), ("A 012 345 678", A_NUMBER), ("a012345678", A_NUMBER),
        ("012345678", A_NUMBER), ("12345678", A_NUMBER), ("A# 0123 4567 8", A_NUMBER),
        ("número A 012345678", A_NUMBER), ("No. 012 345 678", A_NUMBER),
        ("A 12345678", A_NUMBER), ("a-12-345-678", A_NUMBER), ("012.345.678", A_NUMBER),
        ("A0 1234 5678", A_NUMBER)] + [(t, "none") for t in [
            "no lo tengo", "NO LO TENGO", "no tengo", "no sé", "no me acuerdo",
            "no me lo dieron", "se me perdió", "me lo robaron", "nunca me lo dieron",
            "ni idea", "no sé cuál es", "no lo encuentro", "perdí mis papeles",
            "no tengo ese número", "sin número"]] + [
        ("A 1234567", AGAIN), ("+52 899 123 4567", AGAIN), ("8991234567", AGAIN),
        ("A-ABC-DEF", AGAIN)]
A_EN = [(t, A_NUMBER) for t, _ in A_ES[:12]] + [(t, "none") for t in [
            "I don't have it", "i dont have it", "don't know", "i don't remember",
            "never got one", "lost it", "lost my papers", "not sure", "idk", "no idea",
            "none", "i have no a number", "they never gave me one", "can't find it",
            "i do not know it"]] + [
        ("A 1234567", AGAIN), ("+1 915 555 0101", AGAIN), ("9155550101", AGAIN),
        ("A-XYZ", AGAIN)]

ENROLLED_ES = [
    ("marzo 2019", "2019-03-01"), ("en marzo del 2019", "2019-03-01"),
    ("03/2020", "2020-03-01"), ("ago 21", "2021-08-01"), ("diciembre 2019", "2019-12-01"),
    ("en julio de dos mil veinte", "2020-07-01"), ("marzo del dos mil diecinueve", "2019-03-01"),
    ("enero 2022", "2022-01-01"), ("febrero del 2020", "2020-02-01"),
    ("15 de mayo de 2019", "2019-05-01"), ("novienbre 2019", "2019-11-01"),
    ("en sept del 2019", "2019-09-01"), ("octubre 2021", "2021-10-01"),
    ("junio 2019", "2019-06-01"), ("abril de 2020", "2020-04-01"), ("6/2019", "2019-06-01"),
    ("2019/06", "2019-06-01"), ("agosto 2019", "2019-08-01"), ("julio 19", "2019-07-01"),
    ("en diciembre del 21", "2021-12-01"), ("mayo 2025", "2025-05-01"),
    ("a finales de marzo 2019", "2019-03-01"), ("hace dos años", AGAIN), ("no me acuerdo", AGAIN),
    ("2017", AGAIN), ("marzo 2018", AGAIN), ("marzo 2030", AGAIN), ("no sé", AGAIN),
    ("13/2020", AGAIN), ("ayer", AGAIN),
]
ENROLLED_EN = [
    ("march 2020", "2020-03-01"), ("March 2019", "2019-03-01"), ("03/2020", "2020-03-01"),
    ("aug 21", "2021-08-01"), ("december 2019", "2019-12-01"),
    ("august twenty nineteen", "2019-08-01"), ("in july 2020", "2020-07-01"),
    ("jan 2022", "2022-01-01"), ("february 2020", "2020-02-01"), ("may 15 2019", "2019-05-01"),
    ("november 2019", "2019-11-01"), ("sept 2019", "2019-09-01"), ("october 2021", "2021-10-01"),
    ("june 2019", "2019-06-01"), ("april of 2020", "2020-04-01"), ("6/2019", "2019-06-01"),
    ("2019/06", "2019-06-01"), ("in august 2019", "2019-08-01"), ("july 19", "2019-07-01"),
    ("dec 21", "2021-12-01"), ("may 2025", "2025-05-01"),
    ("like two years ago", AGAIN), ("i don't remember", AGAIN), ("2017", AGAIN),
    ("march 2018", AGAIN), ("march 2030", AGAIN), ("idk", AGAIN), ("13/2020", AGAIN),
    ("yesterday", AGAIN), ("last year", AGAIN),
]

FAMILY_ES = [("3", 3), ("somos 3", 3), ("solo yo", 0), ("nomas yo", 0), ("yo sola", 0),
             ("ninguno", 0), ("nadie", 0), ("dos", 2), ("tres", 3), ("cuatro", 4), ("cinco", 5),
             ("uno", 1), ("1", 1), ("0", 0), ("tres hijos", 3), ("mis 2 hijos", 2),
             ("mi esposa y dos hijos", 2), ("somos cinco", 5), ("seis", 6), ("siete", 7),
             ("ocho", 8), ("diez", 10), ("10", 10), ("con mis 4 niños", 4), ("no", 0),
             ("cero", 0), ("una hija", 1), ("somos 2", 2), ("100", AGAIN), ("no sé", AGAIN),
             ("muchos", AGAIN)]
FAMILY_EN = [("3", 3), ("just me", 0), ("only me", 0), ("none", 0), ("nobody", 0), ("two", 2),
             ("three", 3), ("four", 4), ("five", 5), ("one", 1), ("1", 1), ("0", 0),
             ("three kids", 3), ("my 2 kids", 2), ("two children", 2), ("six", 6),
             ("seven", 7), ("eight", 8), ("ten", 10), ("10", 10), ("with my 4 kids", 4),
             ("no", 0), ("zero", 0), ("one daughter", 1), ("we are 2", 2), ("nine", 9),
             ("2 people", 2), ("5", 5), ("100", AGAIN), ("idk", AGAIN), ("a lot", AGAIN)]

CONSENT_ES = [(t, "yes") for t in ["si", "sí", "Si acepto", "acepto", "sí, acepto", "claro",
                                   "de acuerdo", "dale", "ok", "simon", "sip", "siii",
                                   "esta bien", "1", "el 1", "va", "bueno"]] + [
    (t, "no") for t in ["no", "No acepto", "no gracias", "nel", "2", "nop", "negativo",
                        "no quiero"]] + [(t, AGAIN) for t in ["tal vez", "no sé", "que es esto",
                                                               "mmm", "3"]]
CONSENT_EN = [(t, "yes") for t in ["yes", "Yes I agree", "i agree", "agree", "ok", "okay",
                                   "sure", "yeah", "yep", "1", "yes please", "correct",
                                   "confirm", "ok sure", "yes, i agree"]] + [
    (t, "no") for t in ["no", "I do not agree", "i dont agree", "no thanks", "2", "nope",
                        "no way"]] + [(t, AGAIN) for t in ["maybe", "idk", "what is this",
                                                           "hmm", "3", "later", "?", "x"]]

CASE_ES = [("1", "pending"), ("2", "terminated"), ("3", "in_absentia"), ("4", "removed_attended"),
           ("5", "never_mpp"), ("6", "not_sure"), ("sigue pendiente", "pending"),
           ("todavía tengo corte", "pending"), ("esta abierto", "pending"),
           ("estoy esperando mi audiencia", "pending"), ("lo cerraron", "terminated"),
           ("me lo terminaron", "terminated"), ("caso cerrado", "terminated"),
           ("desestimado", "terminated"), ("no fui a la corte", "in_absentia"),
           ("no me presenté", "in_absentia"), ("me dieron orden en ausencia", "in_absentia"),
           ("no pude ir a la audiencia", "in_absentia"), ("me deportaron", "removed_attended"),
           ("perdí el caso", "removed_attended"), ("me negaron el asilo", "removed_attended"),
           ("nunca estuve en mpp", "never_mpp"), ("no estoy en mpp", "never_mpp"),
           ("no sé", "not_sure"), ("no estoy segura", "not_sure"), ("ni idea", "not_sure"),
           ("quien sabe", "not_sure"), ("7", AGAIN), ("mi caso", AGAIN), ("", AGAIN)]
CASE_EN = [("1", "pending"), ("2", "terminated"), ("3", "in_absentia"), ("4", "removed_attended"),
           ("5", "never_mpp"), ("6", "not_sure"), ("still pending", "pending"),
           ("it's open", "pending"), ("active", "pending"), ("still waiting", "pending"),
           ("they closed it", "terminated"), ("case dismissed", "terminated"),
           ("terminated", "terminated"), ("closed", "terminated"),
           ("i missed my court", "in_absentia"), ("i didn't go to court", "in_absentia"),
           ("ordered removed in absentia", "in_absentia"), ("i did not go", "in_absentia"),
           ("i got a removal order", "removed_attended"), ("i lost my case", "removed_attended"),
           ("they denied my asylum", "removed_attended"), ("never in mpp", "never_mpp"),
           ("i was never in mpp", "never_mpp"), ("not sure", "not_sure"), ("idk", "not_sure"),
           ("don't know", "not_sure"), ("i do not know", "not_sure"), ("9", AGAIN),
           ("my case", AGAIN), ("hmm", AGAIN)]

CONTACT_ES = [("1", "sms"), ("2", "whatsapp"), ("3", "other"), ("por whats", "whatsapp"),
              ("whatsapp", "whatsapp"), ("wasap", "whatsapp"), ("por guasap", "whatsapp"),
              ("watsap", "whatsapp"), ("wsp", "whatsapp"), ("mensaje", "sms"),
              ("por mensaje de texto", "sms"), ("este número", "sms"), ("texto", "sms"),
              ("sms", "sms"), ("otro", "other"), ("otro número", "other"),
              ("a otro telefono", "other"), ("diferente", "other"), ("el 1", "sms"),
              ("el 2", "whatsapp"), ("la 3", "other"), ("por mensajes", "sms"),
              ("si este", "sms"), ("mejor whatsapp", "whatsapp"), ("otra", "other"),
              ("por este", "sms"), ("whatsap porfa", "whatsapp"), ("4", AGAIN),
              ("no sé", AGAIN), ("correo", AGAIN)]
CONTACT_EN = [("1", "sms"), ("2", "whatsapp"), ("3", "other"), ("whatsapp", "whatsapp"),
              ("by whatsapp", "whatsapp"), ("whats", "whatsapp"), ("wa", "whatsapp"),
              ("text", "sms"), ("text me", "sms"), ("sms", "sms"), ("this number", "sms"),
              ("this one", "sms"), ("other", "other"), ("another number", "other"),
              ("a different phone", "other"), ("the 1", "sms"), ("the 2", "whatsapp"),
              ("the 3", "other"), ("yes this", "sms"), ("whatsapp please", "whatsapp"),
              ("sms please", "sms"), ("another", "other"), ("different", "other"),
              ("via whatsapp", "whatsapp"), ("by text", "sms"), ("text is fine", "sms"),
              ("4", AGAIN), ("idk", AGAIN), ("email", AGAIN), ("call me", AGAIN)]

PHONE_ES = [("(899) 123-4567", "+528991234567"), ("899 123 4567", "+528991234567"),
            ("8991234567", "+528991234567"), ("+52 899 123 4567", "+528991234567"),
            ("00 52 899 123 4567", "+528991234567"), ("+52 1 899 123 4567", "+528991234567"),
            ("899-123-4567", "+528991234567"), ("899.123.4567", "+528991234567"),
            ("+528991234567", "+528991234567"), ("52 899 123 4567", "+528991234567"),
            ("664 123 4567", "+526641234567"), ("(664)1234567", "+526641234567"),
            ("+52 664 123 4567", "+526641234567"), ("6641234567", "+526641234567"),
            ("55 1234 5678", "+525512345678"), ("+52 55 1234 5678", "+525512345678"),
            ("5512345678", "+525512345678"), ("81 1234 5678", "+528112345678"),
            ("8112345678", "+528112345678"), ("+52 81 1234 5678", "+528112345678"),
            ("+1 915 555 0101", "+19155550101"), ("001 915 555 0101", "+19155550101"),
            ("+502 5123 4567", "+50251234567"), ("+504 9123 4567", "+50491234567"),
            ("123 45", AGAIN), ("+52 000 000 0000", AGAIN), ("no tengo", AGAIN),
            ("", AGAIN), ("abc", AGAIN), ("12", AGAIN)]
PHONE_EN = [(t, v) for t, v in PHONE_ES[:24]] + [
    ("123 45", AGAIN), ("+1 000 000 0000", AGAIN), ("i don't have one", AGAIN), ("", AGAIN),
    ("xyz", AGAIN), ("911", AGAIN)]

VULN_ES = [("no", []), ("ninguna", []), ("nada", []), ("prefiero no decir", []),
           ("no aplica", []), ("1", ["illness"]), ("1, 3", ["illness", "disability"]),
           ("1 3", ["illness", "disability"]), ("2", ["pregnancy"]), ("5", ["violence"]),
           ("estoy embarazada", ["pregnancy"]), ("mi hijo está enfermo", ["illness"]),
           ("tengo diabetes", ["illness"]), ("soy mayor", ["elderly"]),
           ("mi abuela viene conmigo", ["elderly"]), ("nos amenazan", ["violence"]),
           ("sufrimos violencia", ["violence"]), ("nos quieren extorsion", ["violence"]),
           ("silla de ruedas", ["disability"]), ("mi hija tiene discapacidad", ["disability"]),
           ("embarazada y enferma", ["illness", "pregnancy"]), ("4", ["elderly"]),
           ("3", ["disability"]), ("2 y 5", ["pregnancy", "violence"]), ("omitir", []),
           ("saltar", []), ("0", []), ("9", AGAIN), ("no sé", AGAIN), ("tal vez", AGAIN)]
VULN_EN = [("no", []), ("none", []), ("nothing", []), ("prefer not to say", []), ("skip", []),
           ("1", ["illness"]), ("1, 3", ["illness", "disability"]), ("2", ["pregnancy"]),
           ("5", ["violence"]), ("i am pregnant", ["pregnancy"]), ("my son is sick", ["illness"]),
           ("i have cancer", ["illness"]), ("elderly", ["elderly"]),
           ("we got threats", ["violence"]), ("threatened", ["violence"]),
           ("wheelchair", ["disability"]), ("my daughter is disabled", ["disability"]),
           ("pregnant and sick", ["illness", "pregnancy"]), ("4", ["elderly"]),
           ("3", ["disability"]), ("2 and 5", ["pregnancy", "violence"]), ("0", []),
           ("none of these", []), ("no thanks", []), ("violence", ["violence"]),
           ("disability", ["disability"]), ("illness", ["illness"]), ("7", AGAIN),
           ("idk", AGAIN), ("maybe", AGAIN)]

CONFIRM_ES = [("si", "yes"), ("sí", "yes"), ("correcto", "yes"), ("esta bien", "yes"),
              ("todo bien", "yes"), ("si es correcto", "yes"), ("asi es", "yes"),
              ("confirmo", "yes"), ("ok", "yes"), ("1", "reg_name"), ("2", "reg_birth_date"),
              ("3", "reg_citizenship"), ("4", "reg_a_number"), ("5", "reg_case"),
              ("6", "reg_enrolled"), ("7", "reg_location"), ("8", "reg_contact"),
              ("9", "reg_family"), ("10", "reg_vulnerability"), ("linea 2", "reg_birth_date"),
              ("cambiar 7", "reg_location"), ("cambiar el nombre", "reg_name"),
              ("corregir la fecha de nacimiento", "reg_birth_date"),
              ("el país está mal", "reg_citizenship"), ("cambiar el teléfono", "reg_contact"),
              ("la ciudad", "reg_location"), ("mi familia", "reg_family"), ("11", AGAIN),
              ("mmm", AGAIN), ("no sé", AGAIN)]
CONFIRM_EN = [("yes", "yes"), ("correct", "yes"), ("yes correct", "yes"), ("confirm", "yes"),
              ("ok", "yes"), ("yeah", "yes"), ("sure", "yes"), ("yep", "yes"),
              ("1", "reg_name"), ("2", "reg_birth_date"), ("3", "reg_citizenship"),
              ("4", "reg_a_number"), ("5", "reg_case"), ("6", "reg_enrolled"),
              ("7", "reg_location"), ("8", "reg_contact"), ("9", "reg_family"),
              ("10", "reg_vulnerability"), ("line 2", "reg_birth_date"),
              ("change 7", "reg_location"), ("change the name", "reg_name"),
              ("wrong birth date", "reg_birth_date"), ("country is wrong", "reg_citizenship"),
              ("change phone", "reg_contact"), ("the city", "reg_location"),
              ("family", "reg_family"), ("12", AGAIN), ("hmm", AGAIN), ("idk", AGAIN),
              ("0", AGAIN)]

ALL = {
    "reg_name": (NAME_ES, NAME_EN), "reg_location": (PLACE_ES, PLACE_EN),
    "reg_birth_date": (BIRTH_ES, BIRTH_EN), "reg_citizenship": (COUNTRY_ES, COUNTRY_EN),
    "reg_a_number": (A_ES, A_EN), "reg_enrolled": (ENROLLED_ES, ENROLLED_EN),
    "reg_family": (FAMILY_ES, FAMILY_EN), "reg_consent": (CONSENT_ES, CONSENT_EN),
    "reg_case": (CASE_ES, CASE_EN), "reg_contact": (CONTACT_ES, CONTACT_EN),
    "reg_phone": (PHONE_ES, PHONE_EN), "reg_vulnerability": (VULN_ES, VULN_EN),
    "reg_confirm": (CONFIRM_ES, CONFIRM_EN),
}
CASES = [(question, lang, text, expected) for question, sets in ALL.items()
         for lang, cases in zip(("es", "en"), sets) for text, expected in cases]


def test_every_question_has_thirty_answers_per_language():
    assert set(ALL) == set(reading.READERS)
    for question, (es, en) in ALL.items():
        assert len(es) >= 30 and len(en) >= 30, question


def _read(question, text):
    value = reading.read_answer(question, text, own_number="+528990000000")
    if question == "reg_location":
        return value["country"]
    return value


@pytest.mark.parametrize("question, lang, text, expected", CASES)
def test_realistic_answer(question, lang, text, expected, monkeypatch):
    if question in ("reg_birth_date", "reg_enrolled"):
        monkeypatch.setattr("hotline.registration.answers.dates.date",
                            type("D", (date,), {"today": classmethod(lambda cls: TODAY)}))
    if expected is AGAIN:
        with pytest.raises(Invalid):
            _read(question, text)
        return
    assert _read(question, text) == expected
    if question in reading.FREE_TEXT:
        # Taken as the answer, not as a question, a story or a request for a person.
        assert reading.plausible_answer(question, text)
        assert not reading.names_a_person(text)
