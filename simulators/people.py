"""Realistic buyers: German, Austrian, French and Belgian names, streets with house numbers,
zip codes and cities that belong together, e-mail addresses, and phone numbers written the many
ways people write them (national, international, with slashes or dots; some missing, a few
deliberately invalid such as "12"). Deterministic: everything comes from the ``random.Random``
passed in, or from the e-mail address when one is given (the same buyer ordering twice gets the
same name and address).
"""

import random
import unicodedata

ALPHA3 = {"DE": "DEU", "AT": "AUT", "FR": "FRA", "BE": "BEL", "CH": "CHE", "LU": "LUX", "NL": "NLD"}
ALPHA2 = {alpha3: alpha2 for alpha2, alpha3 in ALPHA3.items()}


def alpha2(code):
    code = (code or "").upper()
    return ALPHA2.get(code, code)


def _split(text):
    return [part.strip() for part in text.split("|")]


_FIRST = {  # (female, male)
    "de": (
        _split(
            "Anna|Sophie|Marie|Lena|Laura|Julia|Katharina|Ursula|Renate|Sabine|Jutta|Müge|"
            "Hannelore|Ayşe"
        ),
        _split(
            "Lukas|Maximilian|Jonas|Felix|Paul|Leon|Jürgen|Günther|Björn|Thomas|Klaus-Dieter|"
            "Mehmet|Stefan|Jörg"
        ),
    ),
    "fr": (
        _split(
            "Camille|Léa|Chloé|Manon|Inès|Émilie|Hélène|Amélie|Marie-Claire|Zoé|Nathalie|Océane|"
            "Françoise|Aïcha"
        ),
        _split(
            "Louis|Gabriel|Hugo|Jules|Lucas|Théo|Sébastien|François|Jean-Pierre|Noël|Mathéo|"
            "Kévin|Benoît|Yannick"
        ),
    ),
}
_LAST = {
    "de": _split(
        "Müller|Schmidt|Schneider|Fischer|Weber|Meyer|Wagner|Becker|Schulz|Hoffmann|"
        "Schäfer|Koch|Bauer|Richter|Klein|Wolf|Schröder|Neumann|Zimmermann|Krüger|"
        "Hartmann|Köhler|von der Heide|Özdemir|Nowak|Groß"
    ),
    "fr": _split(
        "Martin|Bernard|Dubois|Thomas|Robert|Richard|Petit|Durand|Leroy|Moreau|Simon|"
        "Laurent|Lefèvre|Michel|Garcia|Bertrand|Roux|Fontaine|Chevalier|Le Goff|"
        "de la Fontaine|N'Diaye|Peeters|Janssens"
    ),
}
_STREETS = {
    "de": _split(
        "Hauptstraße|Bahnhofstraße|Gartenweg|Schillerstraße|Goethestraße|Lindenallee|"
        "Am Markt|Kirchgasse|Birkenweg|Friedrichstraße|Berliner Straße|Rosenweg|"
        "Mühlenstr.|Im Winkel"
    ),
    "fr": _split(
        "rue de la République|avenue Jean Jaurès|boulevard Victor Hugo|rue Pasteur|"
        "place de la Mairie|rue des Lilas|chemin des Vignes|allée des Tilleuls|"
        "rue du Général Leclerc|impasse des Acacias|rue Nationale|quai de la Loire"
    ),
    "be": _split(
        "Rue Haute|Chaussée de Louvain|Avenue Louise|Rue de la Station|Rue du Moulin|"
        "Place Saint-Lambert"
    ),
}
# zip, city, landline area code
_CITIES = {
    country: [tuple(_split(entry.replace(";", "|"))) for entry in text.split(",")]
    for country, text in {
        "DE": "10115;Berlin;030,10437;Berlin;030,12043;Berlin;030,20095;Hamburg;040,"
        "22767;Hamburg;040,80331;München;089,81667;München;089,50667;Köln;0221,"
        "60311;Frankfurt am Main;069,70173;Stuttgart;0711,40213;Düsseldorf;0211,"
        "04109;Leipzig;0341,01067;Dresden;0351,30159;Hannover;0511,90402;Nürnberg;0911,"
        "28195;Bremen;0421,44135;Dortmund;0231,48143;Münster;0251,69117;Heidelberg;06221,"
        "79098;Freiburg im Breisgau;0761,24103;Kiel;0431,18055;Rostock;0381,99084;Erfurt;0361,"
        "55116;Mainz;06131,66111;Saarbrücken;0681",
        "AT": "1010;Wien;01,1070;Wien;01,8010;Graz;0316,4020;Linz;0732,5020;Salzburg;0662,"
        "6020;Innsbruck;0512",
        "FR": "75011;Paris;01,75015;Paris;01,69003;Lyon;04,13001;Marseille;04,31000;Toulouse;05,"
        "33000;Bordeaux;05,59000;Lille;03,67000;Strasbourg;03,44000;Nantes;02,06000;Nice;04,"
        "35000;Rennes;02,34000;Montpellier;04,21000;Dijon;03,37000;Tours;02,"
        "63000;Clermont-Ferrand;04",
        "BE": "1000;Bruxelles;02,4000;Liège;04,5000;Namur;081,7000;Mons;065,6000;Charleroi;071",
    }.items()
}
_MAIL_HOSTS = {
    "DE": _split("gmx.de|web.de|t-online.de|gmail.com|posteo.de|outlook.de"),
    "AT": _split("gmx.at|aon.at|gmail.com|chello.at"),
    "FR": _split("orange.fr|free.fr|laposte.net|sfr.fr|gmail.com|outlook.fr|yahoo.fr"),
    "BE": _split("skynet.be|proximus.be|gmail.com|hotmail.com"),
}
_COMPANY_FORMS = {
    "de": _split(
        "{last} Haustechnik GmbH|{last} & Söhne KG|Bäckerei {last} e.K.|"
        "{last} IT-Service UG|Praxis Dr. {last}"
    ),
    "fr": _split(
        "SARL {last} Bâtiment|Boulangerie {last} SAS|Cabinet {last}|{last} Conseil EURL|"
        "Garage {last} et Fils"
    ),
}
_ADDITIONS = {
    "de": _split("2. OG|Hinterhaus|Wohnung 12|c/o Meier|Seiteneingang|3. Stock links"),
    "fr": _split("Bâtiment B|Appartement 12|3e étage|Résidence Les Pins|Chez M. Durand|Escalier C"),
}
INVALID_PHONES = ["12", "0000", "-", "tel"]


def ascii_slug(text):
    """'Jürgen Groß' -> 'juergen.gross'-style e-mail parts."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in text if char.isalnum() or char == "-").strip("-")


def make_phone(rng, country, area_code, mobile=None):
    """A phone number as people type it; ``mobile`` None = either."""
    if mobile is None:
        mobile = rng.random() < 0.55
    digits = lambda count: "".join(str(rng.randrange(10)) for _ in range(count))  # noqa: E731
    if country in ("DE", "AT"):
        prefix = "+49" if country == "DE" else "+43"
        if mobile:
            net = rng.choice(
                ["151", "160", "170", "171", "176", "152"]
                if country == "DE"
                else ["664", "676", "699"]
            )
            return rng.choice(
                [
                    f"{prefix} {net} {digits(8)}",
                    f"0{net} {digits(8)}",
                    f"0{net}/{digits(7)}",
                    f"0{net}{digits(8)}",
                ]
            )
        return rng.choice(
            [
                f"{area_code} {digits(7)}",
                f"{area_code}/{digits(3)} {digits(4)}",
                f"{prefix} {area_code[1:]} {digits(7)}",
                f"00{prefix[1:]} {area_code[1:]} {digits(6)}",
            ]
        )
    if country == "BE":
        if mobile:
            return rng.choice(
                [
                    f"+32 47{rng.randrange(10)} {digits(2)} {digits(2)} {digits(2)}",
                    f"04{rng.randrange(70, 100)}/{digits(2)}.{digits(2)}.{digits(2)}",
                ]
            )
        return f"{area_code} {digits(3)} {digits(2)} {digits(2)}"
    pairs = lambda count: " ".join(digits(2) for _ in range(count))  # noqa: E731
    first = rng.choice(["06", "07"]) if mobile else area_code
    return rng.choice(
        [
            f"{first} {pairs(4)}",
            f"+33 {first[1]} {pairs(4)}",
            f"{first}{pairs(4).replace(' ', '')}",
            f"{first}.{pairs(4).replace(' ', '.')}",
        ]
    )


def make_buyer(rng, country="DE", company_share=0.1, phone_share=0.85):
    """A realistic buyer of the given country (alpha-2): name, address, e-mail, phone (may be
    None or invalid), sometimes a company. Keys: salutation (MR/MS/COMPANY), first_name,
    last_name, company, street, house_number, address1 (street line as the country writes it),
    addition, zip, city, country, phone, email, vat_number."""
    language = "de" if country in ("DE", "AT") else "fr"
    female = rng.random() < 0.5
    first = rng.choice(_FIRST[language][0 if female else 1])
    last = rng.choice(_LAST[language])
    zip_code, city, area = rng.choice(_CITIES.get(country, _CITIES["DE"]))
    street = rng.choice(_STREETS["be" if country == "BE" else language])
    number = str(rng.randint(1, 180))
    if rng.random() < 0.12:
        number += rng.choice(
            ["a", "b", " bis", "-3"] if language == "fr" else ["a", "b", "c", "-3"]
        )
    address1 = street_line(street, number, country)
    company = ""
    if rng.random() < company_share:
        company = rng.choice(_COMPANY_FORMS[language]).format(last=last)
    host = rng.choice(_MAIL_HOSTS.get(country, _MAIL_HOSTS["DE"]))
    local = rng.choice(
        [
            f"{ascii_slug(first)}.{ascii_slug(last)}",
            f"{ascii_slug(first)[0]}{ascii_slug(last)}",
            f"{ascii_slug(first)}{rng.randint(1, 99)}",
            f"{ascii_slug(last)}.{ascii_slug(first)}{rng.randint(60, 99)}",
        ]
    ).replace(" ", "")
    email = f"{local}@{host}"
    if rng.random() < 0.05:
        email = email.capitalize()
    roll = rng.random()
    if roll < 1 - phone_share:
        phone = None
    elif roll < 1 - phone_share + 0.03:
        phone = rng.choice(INVALID_PHONES)
    else:
        phone = make_phone(rng, country, area)
    vat = ""
    if company and rng.random() < 0.6:
        vat = (country if country != "AT" else "ATU") + "".join(
            str(rng.randrange(10)) for _ in range(9 if country != "FR" else 11)
        )
    return {
        "salutation": "MS" if female else "MR",
        "first_name": first,
        "last_name": last,
        "company": company,
        "street": street,
        "house_number": number,
        "address1": address1,
        "addition": rng.choice(_ADDITIONS[language]) if rng.random() < 0.15 else "",
        "zip": zip_code,
        "city": city,
        "country": country if country in _CITIES else "DE",
        "phone": phone,
        "email": email,
        "vat_number": vat,
        "area_code": area,
    }


def street_line(street, number, country):
    """The first address line as the country writes it: '12 rue Pasteur', 'Hauptstraße 12'."""
    if not number:
        return street
    return f"{number} {street}" if country == "FR" else f"{street} {number}"


def apply_buyer_overrides(buyer, overrides):
    """Let ``add_order`` callers set any buyer field: salutation, first_name, last_name, company,
    street, house_number, address1, addition, zip (or zip_code), city, country (alpha-2 or
    alpha-3), phone, email, vat_number. A ``street`` given without ``house_number`` is taken as
    the whole street line. Consumed keys are removed from ``overrides``."""
    aliases = {
        "zip_code": "zip",
        "street2": "addition",
        "address2": "addition",
        "firstname": "first_name",
        "lastname": "last_name",
    }
    given = set()
    for key in list(overrides):
        field = aliases.get(key, key)
        if field in buyer:
            buyer[field] = overrides.pop(key)
            given.add(field)
    buyer["country"] = alpha2(buyer["country"])
    if "street" in given and "house_number" not in given:
        buyer["house_number"] = ""
    if "address1" not in given and given & {"street", "house_number", "country"}:
        buyer["address1"] = street_line(buyer["street"], buyer["house_number"], buyer["country"])
    return buyer


def buyer_for(rng, country, overrides):
    """A buyer with the caller's ``overrides`` applied (consumed from the dict). With an
    ``email`` among them, the rest of the buyer derives from that address, so repeated orders
    of one buyer carry the same name and address."""
    email = overrides.get("email")
    source = random.Random(f"{str(email).lower()}|{alpha2(country)}") if email else rng
    return apply_buyer_overrides(make_buyer(source, alpha2(country)), overrides)
