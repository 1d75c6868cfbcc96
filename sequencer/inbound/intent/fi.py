"""Finnish cues for reply intent (see :class:`~sequencer.inbound.intent.lexicon.Lexicon`).

Finnish inflects, so most cues are stems: ``kiinnost`` covers kiinnostaa, kiinnostunut,
kiinnostaisi and kiinnostuneita; ``kolleg`` covers kollegani, kollegalleni and kollegaamme.
Negation is a verb of its own (ei, en, emme, eivät...), usually a few words before the stem:
"ei kiinnosta", "en ole kiinnostunut", "emme ole tällä hetkellä kiinnostuneita".
"""

from __future__ import annotations

from sequencer.inbound.intent.lexicon import Lexicon

#: A negation that says no: not the condition "jos ei käy, ehdota toista aikaa". Savo and
#: other eastern dialects say "ee" for "ei" ("Ee kiinnosta yhtää", "ee oo tarvetta").
_NEG = (
    r"(?<!jos\s)(?<!mikäli\s)(?<!kun\s)"
    r"(?:ei|ee|en|emme|ette|eivät|eikä|enkä|emmekä|ettei|etten|ettemme|jottei|vaikkei)"
)
_WORD = r"[^\s,.;:!?]+"  # a word within the clause (a negation never reaches past a comma)
_ME = r"(?:minuun|muhun|meihin|minulle|mulle|meille|uudelleen|uudestaan|takaisin)"
_UPPER = "A-ZÄÖÅ"
_LOWER = "a-zäöåé"
#: A person: a full name anywhere, a capitalised name inside a sentence (case-sensitive: a
#: sentence's first word may be any noun), a pronoun (a whole word: "se" is no start of
#: "seurannan") or a role.
_ROLE = (
    r"(?<!\S)\S*(?:päällik|johtaj|vastaav|kolleg|esimie|työkaver|assistent|koordinaattor|"
    r"asiantuntij|myyjä|ostaja|omistaj|yhteyshenkil)\S*"
)
_PERSON = (
    rf"(?:(?-i:[{_UPPER}][{_LOWER}]+\s+[{_UPPER}][{_LOWER}]+)|(?<=[^\s.!?]\s)(?-i:[{_UPPER}]"
    rf"[{_LOWER}]+)|(?:hän|he|se)\b|{_ROLE})"
)
_OO = r"(?:ole|oo|olla|olisi|ois)"  # "ei ole", spoken "ei oo"
#: After "ei tarvitse": what needs not be so about the call itself, which declines nothing ("Ei
#: tarvii olla lyhyt, meil on 6 työmaata", "ei tarvitse kiirehtiä", "ei tarvii pahoitella").
_HURRY = (
    r"\w*\s+(?:(?:olla|olle|oo)\s+(?:\S+\s+)?(?:lyhyt|lyhyempi|lyhkäne\w*|pikainen|nopea|pitkä|"
    r"virallinen|muodollinen|valmis|täydellinen|kiire\w*)|kiirehti\w*|kiirehdi\w*|hoppuil\w*|"
    r"hätäil\w*|pahoitel\w*|stressa\w*|murehti\w*|vastata\s+heti)\b"
)
_NO_HURRY = rf"(?!{_HURRY})"
#: Particles that may stand between "älkää" and its verb: "älkää siis lähettäkö", "älkää nyt
#: enää soittako", "älä mulle laita".
_FILLER = r"(?:(?:enää|siis|nyt|jo|kyllä|sitten|mulle|minulle|meille|tänne)\s+){0,2}"
_LEAVE = (
    r"(?:vuosi|kesä|talvi|syys|hiihto|isyys|äitiys|vanhempain|sairaus|joulu|pääsiäis)?"
    r"(?:lomalla|lomilla|vapaalla)|perhevapaalla|virkavapaalla|opintovapaalla|vanhempainvapaalla|"
    r"poissa|matkoilla|työmatkalla|matkalla|koulutuksessa|messuilla|konferenssissa|"
    r"seminaarissa|kurssilla|tapahtumassa|reissussa"
)

LEXICON = Lexicon(
    language="fi",
    unsubscribe=(
        # "Älkää enää sähköpostittako minulle", "Lakatkaa lähettämästä näitä"
        r"älkää\s+(?:enää\s+)?(?:sähköpostittako|meilatko|viestittäkö|lähetelkö)\b|"
        r"lakatkaa\s+(?:\S+\s+)?lähettämästä\b",
        rf"(?:älkää|älä)\s+{_FILLER}(?:lähet|lähett|ota\b|ottako|kirjoit|soit|markkinoi|"
        # not when, or not yet: "älä soita ennen kymmentä", "älä lähetä vielä tarjousta"
        r"meila|viestit|mailaa|postit)\w*\b(?!\s+(?:\S+\s+)?(?:ennen|jälkeen|klo|kello|aamu\w*|"
        r"illalla|tänään|huomenna|vielä|tällä\s+viikolla|ensi\s+viikolla|teamsiin|whatsappiin|"
        r"vaan|mutta))",
        r"en\s+halua\s+(?:enää\s+)?(?:näitä|viestejä|sähköposte|yhteydenotto|markkinointi|"
        r"mainos|teiltä)",
        r"emme\s+halua\s+(?:enää\s+)?(?:näitä|viestejä|sähköposte|yhteydenotto|markkinointi|"
        r"mainos|teiltä)",
        r"poist(?:a|aa|akaa)\s+(?:ystävällisesti\s+)?(?:tietoni|"
        r"meidät|nimeni|yhteystietoni|osoitteeni|sähköpostiosoitteeni|"
        r"osoitteemme|tietomme|meidän)\b",
        r"(?:ei|en\s+halua)\s+enää\s+(?:näitä\s+|tällaisia\s+|teidän\s+)?(?:viestejä|"
        r"sähköposte|yhteydenotto|postia)",
        r"lopett(?:akaa|aa|akaa\s+jo)\s+(?:viestien\s+|sähköpostien\s+|postin\s+)?(?:lähettäminen|"
        r"lähettely|spämmäys)",
        r"markkinointikiel|kiellän\s+(?:\S+\s+)?(?:suora)?markkinoin|"
        r"henkilötie\w*\s+(?:\S+\s+){0,3}?poist|poist\w*\s+(?:\S+\s+){0,4}?henkilötie|"
        r"vastusta\w*\s+(?:\S+\s+){0,5}?\S*markkinoin",
        r"jättä\w*\s+(?:\S+\s+){0,2}?(?:minut|mut|meidät)\s+(?:\S+\s+){0,2}?pois\b"
        r"(?!\s+(?:\S+\s+)?\S*(?:ketju|keskustelu|kopio|cc|kutsu|palaveri))|"
        r"lopet(?:a|takaa|tamaan|taisit\w*|taa)\s+(?:\S+\s+){0,2}?(?:lähettä|lähetyk|postitu|"
        r"markkinoin|yhteydeno|spämm)\w*",
        r"peru(?:n|tan|utan)\s+tilauk",
        r"(?:tietoni|tietomme|osoitteeni|yhteystietoni|nimeni)\s+(?:\S+\s+)?(?:poistetaan|"
        r"poistettaisiin|poistettava)",
        r"lopet(?:a|takaa|akaa)\s+(?:jo\s+)?(?:nämä|näiden|viestien|sähköpostien|tämä|viestit)",
        r"poist(?:a|akaa|athan|aisitteko|aisitko|atko|etaan)\s+(?:\S+\s+)?(?:minut|mut|mua|"
        r"meidät|meitä|osoite|sähköpostini)\b(?!\s+(?:\S+\s+)?(?:\S*ketju|keskustelu|kopio|cc|"
        r"\S*kutsu|palaveri|kokoukse|tapaamise|kalenteri))|pois\s+(?:\S+\s+)?(?:listalta|listoilta|"
        r"rekisteristä|postituslistalta|jakelusta)",
        r"lopet(?:takaa|a|akaa)\s+(?:jo\s+|heti\s+|nyt\s+)*(?:[.!]|$)|lopet(?:takaa|a)\s+"
        r"(?:jo|heti)\b|roskapost|spämm|spam\b",
        r"(?:en|emme)\s+(?:halua|halunnut|ole\s+tilannut|ole\s+pyytänyt|tilannut|pyytänyt)\s+"
        r"(?:(?:enää|jatkossa|tulevaisuudessa|myöskään|yhtään|teiltä)\s+)*"
        r"(?:saada|vastaanottaa|mitään|tällaisia|näitä|teidän|viestejänne|"
        r"markkinointi|postia)",
        rf"kieltäydyn\s+(?:\S+\s+){{0,2}}?markkinoin|(?:älä|älkää)\s+{_FILLER}(?:laita|"
        r"laittako|spämmää|häiritse|häiritkö|pommita|pommittako)\b|jättäkää\s+(?:minut|meidät)"
        r"\s+rauhaan|jätä\s+(?:minut|mut|meidät)\s+rauhaan",
        r"(?:ettei|ei|älkää)\s+(?:minuun|meihin|muhun)\s+(?:\S+\s+)?(?:oteta|otettaisi\w*|olla|"
        r"ottako)\s+(?:(?:enää|jatkossa)\s+)*yhteyttä|"
        r"toivo(?:n|mme|isin|isimme)\s+ettei\s+(?:\S+\s+){0,3}?"
        r"(?:yhteyttä|viestejä|sähköposte|soitella|lähetetä|lähetettäisi)",
        # "poistakaa listalta", "poista minut postituslistaltanne" (not "älkää poistako", nor the
        # writer's own doing: "Poistimme vanhat lavat järjestelmästä")
        r"(?<!älkää\s)(?<!älä\s)(?<!ei\s)(?<!en\s)(?<!emme\s)"
        r"poist(?!imme\b|amme\b|in\b|an\b|ettiin\b|aneet\b|anut\b)\w*\s+(?:\S+\s+){0,3}?"
        r"\S*(?:rekister|lista|listo|järjestelmä)\w*(?:stä|stänne|ltä|lta|ltanne|ltänne)\b"
        r"(?!\s+(?:\S+\s+)?(?:\S*ketju|keskustelu|kopio|cc|kutsu|palaveri))",
        # no need to send anything any more, in dialect too: "eikä tarvihe laetella tänne mittää
        # ennee" (not one thing: "ei tarvitse lähettää enää uutta tarjousta, edellinen riittää")
        r"(?:ei|eikä|ee|eekä)\s+(?:\S+\s+)?(?:tarvi\w*|tarvitse)\s+(?:\S+\s+)?(?:lähet|laet|laitel|"
        r"laitt|laita)\w*\s+(?:\S+\s+){0,2}?(?:mitään|mittää|mitää)\s+(?:\S+\s+)?(?:enää|ennee|"
        r"enee|jatkossa)\b|(?:ei|eikä|ee|eekä)\s+(?:\S+\s+)?(?:tarvi\w*|tarvitse)\s+(?:\S+\s+)?"
        r"(?:lähet|laet|laitel|laitt|laita)\w*\s+(?:\S+\s+){0,2}?(?:enää|ennee|enee|jatkossa)\s+"
        r"(?:\S+\s+)?(?:mitään|mittää|mitää)\b",
        r"(?:ei|eikä)\s+(?:\S+\s+)?(?:tarvi\w*|tarvitse)\s+(?:enää|jatkossa)\s+(?:\S+\s+)?(?:lähet|"
        r"lahet|laitt|laita)\w*\s+(?:\S+\s+)?(?:mitään|mitaan|markkinointi|mainoks|viestej)",
        # the erasure the GDPR gives: "Vaadin, että poistatte kaikki minua koskevat tiedot
        # (GDPR 17 artiklan nojalla)", "minua koskevien tietojen poistamista", "oikeus tulla
        # unohdetuksi" (not asking what is held: "Mitä minua koskevia tietoja teillä on?")
        r"(?<!älkää\s)(?<!älä\s)(?<!ei\s)(?<!en\s)poist\w*\s+(?:\S+\s+){0,3}?(?:minua|meitä|"
        r"minusta|meistä)\s+(?:koskev|liittyv)|(?:minua|meitä)\s+(?:koskev|liittyv)\w*\s+"
        r"(?:\S+\s+){0,2}?poist|17\.?\s+artikl|artikla\w*\s+17\b|oikeu\w*\s+tulla\s+unohdetuksi",
    ),
    absence=(
        # lisää poissaoloja: "Olen tänään sairaana", "Olen ulkomailla 4.1. asti", "Minulla on
        # loma 4.1. asti", "Pidän lomaa 4.1. asti"
        r"olen\s+(?:\S+\s+)?sairaana|olen\s+(?:\S+\s+)?ulkomailla\s+(?:\S+\s+)?(?:asti|saakka)|"
        r"minulla\s+on\s+(?:\S+\s+)?loma\s+(?:\S+\s+)?(?:asti|saakka|\d)|pidän\s+(?:\S+\s+)?lomaa\b",
        # the whole office closed for a while, said with its dates or its holiday: "Toimistomme
        # on suljettu 23.12.–6.1.", "olemme joulutauolla" (not "Toimisto on kiinni perjantaina,
        # mutta torstaina sopii", "Varastomme on suljettu ensi vuonna", "soitellaan joulutauon
        # jälkeen")
        r"(?:toimisto|yritys|liike|myymälä|konttori)\w*\s+(?:on|ovat|pysyy|pysyvät|on\s+myös)\s+"
        r"(?:\S+\s+){0,2}?(?:suljettu\w*|kiinni)\s+(?:\S+\s+)?(?:\d|joulu|juhla|loma|välisen)|"
        r"(?:olemme|ollaan|on)\s+(?:\S+\s+)?joulutauolla|joulunpyhien\s+ajan\s+(?:suljettu|kiinni)|"
        # "Olemme suljettuna 24.12.–6.1."
        r"(?:olemme|ollaan)\s+(?:\S+\s+)?(?:suljettuna|kiinni)\s+(?:\S+\s+)?(?:\d|joulu|juhla|loma|"
        r"välisen)",
        rf"(?:olen|olemme|olen\s+nyt|olen\s+tällä\s+hetkellä)\s+(?:\S+\s+){{0,2}}?(?:{_LEAVE})\b",
        rf"(?:{_LEAVE})\s+(?:\S+\s+){{0,3}}?(?:asti|saakka|välisen\s+ajan)\b",
        r"poissa\s+toimistolta\b|poissaolo|lomailen\b|lomaviesti",
        r"palaan\s+(?:toimistolle|töihin|takaisin|lomalta|\d)|palaan\s+(?:\S+\s+){0,2}?"
        r"(?:alkaen|jälkeen)",
        r"(?:en\s+ole|olen)\s+(?:\S+\s+)?tavoitettavissa|tavoitettavissa\s+(?:\S+\s+){0,2}?"
        r"(?:alkaen|lähtien|jälkeen)\b",
        r"luen\s+(?:sähköpostiani|sähköpostia|viestejäni)\s+(?:\S+\s+)?(?:rajoitetusti|"
        r"satunnaisesti|harvoin)|rajoitetusti\s+(?:sähköpostin|tavoitettavissa)",
        r"vastaan\s+(?:viestiisi|sinulle|viesteihin)\s+(?:\S+\s+){0,2}?(?:palattuani|kun\s+palaan"
        r"|paluuni)",
        r"automaattinen\s+vastaus",
        r"(?:olen|oon|olemme)\s+(?:\S+\s+){0,2}?(?:lomalla|lomilla|vapaalla|poissa|sairaslomalla|"
        r"vanhempainvapaalla|perhevapaalla|virkavapaalla|työmatkalla|reissussa|reissun\s+päällä|"
        r"tavoittamattomissa|pois\s+(?:toimistolta|töistä))\b",
        r"(?:sähköposte(?:ja|ni)|viestejä)\s+ei\s+(?:\S+\s+)?(?:lueta|käsitellä|välitetä)|"
        r"(?:en|emme)\s+(?:\S+\s+)?(?:lue|seuraa|pääse\s+lukemaan)\s+(?:\S+\s+)?(?:sähköpost|"
        r"viestejä|postia)|viestisi\s+(?:ohjautuu|välitetään|siirtyy)\b",
        r"(?:postilaatikkoa|osoitetta|sähköpostia)\s+ei\s+(?:enää\s+)?(?:seurata|lueta|käytetä)|"
        r"(?:takaisin|toimistolla|paikalla|töissä)\s+(?:taas\s+)?(?:\d|maanantai|ensi\s+viikolla)",
        r"automaattinen\s+(?:viesti|ilmoitus|kuittaus)|älä\s+vastaa\s+tähän|tikettinumero|"
        r"vastaamme\s+(?:\S+\s+){0,3}?kuluessa|saapumisjärjestyksessä|(?:olemme|on)\s+"
        r"vastaanott(?:aneet|anut|ettu)\s+(?:\S+\s+)?(?:viesti|yhteydenot|sähköpost|kysely)|"
        r"(?:tähän|tämän)\s+(?:viestiin|osoitteeseen|viestin)\s+(?:ei\s+voi|ei\s+pysty)\s+vastata",
        r"(?<!\S)\S*(?:osoite|postilaatikko)\w*\s+(?:\S+\s+)?ei\s+(?:ole\s+)?(?:enää\s+)?(?:käytössä|"
        r"voimassa|aktiivinen|seurata|lueta)|(?:eikä|ei)\s+viestejä\s+(?:\S+\s+)?(?:lueta|"
        r"käsitellä|välitetä)",
    ),
    referral=(
        rf"(?:ota|ottakaa|otatteko|olkaa|ole|olisitko|voisitko\s+olla)\s+yhteyttä\s+(?!{_ME}|nii)"
        r"(?:\S+\s+){0,2}?\S+(?:aan|ään|een|iin|oon|uun|yyn|ön|hon|hin|seen|siin)\b",
        r"(?:ole|olkaa)\s+yhtey(?:dessä|ksissä)\s+(?!minuun|meihin|muhun)",
        r"seuraaja(?:ni|mme|lleni|llemme|ani|amme|ksi)\b|(?:tilalle|paikalle)(?:ni|mme)\b",
        rf"{_PERSON}\s+(?:vastaa|vastaavat|hoitaa|hoitavat|päättää|päättävät)\s+"
        r"(?:\S+\s+){0,2}?(?:\S+(?:sta|stä)\b|näistä|tästä|tällaisista|meillä|asiasta|asioista|"
        r"hankinnoista|nämä|tämän|"
        r"näitä|asian|hankinnat|ostoista|päätöksistä|nuo|noi|noista|kaikki)",
        r"(?:välitin|välitän|välitetty|välitimme|laitoin|laitan|laitoimme|ohjasin|ohjaan|toimitin|"
        r"toimitan|lähetin|siirsin|siirrän|siirsimme|ohjasimme|välittänyt|siirtänyt|ohjannut|"
        r"laittanut|lähettänyt|välittäneet|siirtäneet|ohjanneet)\s+"
        r"(?:\S+\s+){0,2}?(?:eteenpäin|(?!tiimi|porukal|johtoryhm|hallitu|\S*(?:maanantai|tiistai|"
        r"keskiviikko|torstai|perjantai|lauantai|sunnuntai|aamu|aamupäivä|iltapäivä|illa|päivä|"
        r"viiko|kuu)lle\b)\S+lle\b)"
        r"(?!\s+(?:\S+\s+)?\S+vaksi\b)",
        r"(?:oikea|parempi|sopivampi)\s+(?:henkilö|ihminen|taho|kontakti|yhteyshenkilö)\b",
        r"kannattaa\s+(?:kysyä|olla\s+yhtey(?:dessä|ksissä)|ottaa\s+yhteyttä|kääntyä)",
        # advice to talk with someone else: "kannattaa jutella meidän hankintapuolen Pekka
        # Laaksosen kanssa" (not "meidän kanssa", with us)
        r"kannattaa\s+(?:jutella|keskustella|puhua|olla\s+yhtey(?:dessä|ksissä))\s+(?:\S+\s+){0,4}?"
        r"(?!(?:meidän|minun|mun|teidän|sinun|sun)\s)\S+n\s+kanssa\b",
        # a name asked for at the switchboard: "soita vaihteeseen ja kysy Pekkaa"
        rf"(?:kysy|kysykää)\s+(?:vaikka\s+|sieltä\s+)?(?-i:[{_UPPER}][{_LOWER}]*[aeiouyäö][aä])\b",
        # "Kysykää meidän huoltoyhtiöltä"
        r"(?:kysy|kysykää|kääntykää|käänny)\s+(?:(?:meidän|meiän|meijän|mun|minun)\s+)?"
        r"\S+(?:lta|ltä)\b",
        r"kuulu(?:u|vat)\s+(?!minulle|meille|mulle)(?:\S+\s+){0,2}?\S+lle\b",
        r"(?:puhu|puhukaa|juttele|jutelkaa|keskustele|keskustelkaa|ole\s+yhtey(?:dessä|ksissä)|olkaa\s+"
        r"yhtey(?:dessä|ksissä))\s+(?:\S+\s+)?(?!meidän|minun|mun|teidän)\S+n\s+kanssa\b",
        r"(?:hoitaa|hoitavat|vastaa|vastaavat)\s+(?:\S+\s+)?(?:nykyään|nyttemmin|jatkossa)\b|"
        rf"(?:siirtyi|siirtynyt|siirretty|siirtyneet)\s+(?:\S+\s+)?(?-i:[{_UPPER}])\S*lle\b",
        # the writer's duties handed on: "Minun hommat siirtyy Minna Lahtiselle", "tehtäväni
        # siirtyvät tammikuussa Minnalle", "asiakkaat jää Pekalle" (not a place: "varasto
        # siirtyy Keravalle")
        r"(?:homma|hommat|hommani|työt|työni|tehtävä|vastuu|asiakkaa|asiakkuud)\w*\s+"
        r"(?:\S+\s+){0,2}?(?:siirty\w*|siirretään|siirrän|menee|menevät|jää|jäävät|annetaan|"
        rf"annan)\s+(?:\S+\s+){{0,2}}?(?-i:[{_UPPER}])\S*lle\b",
        rf"(?:hoitaa|hoitavat|päättää|päättävät|vastaa|vastaavat|omistaa)\s+(?:\S+\s+){{0,2}}?"
        rf"{_PERSON}|(?<!\S)\S+(?:sta|stä)\s+vastaa(?:vat)?\s+"
        rf"{_PERSON}",
        rf"(?:paras|oikea|sopivin|parempi)\s+(?:kontakti|henkilö|ihminen|taho|osoite)\s+(?:\S+\s+)?"
        rf"(?:on|olisi)\b|{_PERSON}\s+on\s+(?:oikea|parempi|paras|sopivampi)\s+(?:henkilö|"
        r"ihminen|kontakti)",
        rf"(?:lähetä|laita|laittakaa|lähettäkää|kirjoita|kirjoittakaa|soita|soittakaa|"
        rf"ohjaa|ohjatkaa|välitä|välittäkää|soittaa|laittaa|kirjoittaa|ohjaamaan|välittämään|"
        rf"lähettämään|laittamaan)\s+(?:\S+\s+){{0,2}}?(?:hänelle|heille|{_ROLE}lle|"
        rf"(?-i:[{_UPPER}][{_LOWER}]+)(?:lle|\s+\S+lle)\b)",
        r"(?:ohjaan|ohjasin|välitän|välitin|laitan|laitoin|siirrän|siirsin|välittänyt|"
        r"siirtänyt|ohjannut|laittanut)\s+(?:viestin|"
        r"viestisi|tämän|asian|sähköpostisi|sen)\b(?!\s+(?:\S+\s+)?(?:tiimi|porukal|johtoryhm|"
        r"hallitu|\S+vaksi\b))|vastaa\s+tästä\s+(?:asiasta\s+)?(?:meillä|"
        r"nykyään)?",
        rf"(?:kysy|kysykää|kysyisitkö|soita|soittakaa|ole\s+yhtey(?:dessä|ksissä)|olkaa\s+yhtey(?:dessä|ksissä)|"
        rf"ota\s+yhteyttä|ottakaa\s+yhteyttä)\s+(?:\S+\s+)?(?-i:[{_UPPER}][{_LOWER}]+)"
        r"(?:lta|ltä|lle|aan|ään|iin|hin|seen)\b",
    ),
    referral_weak=(
        r"yhteyttä\b",
        r"yhtey(?:dessä|ksissä)\b",
        r"osoit|sähköposti|tavoitat\b|kysy\b|laita\w*\s+viesti|sinne\s+menee|kautta\b|"
        r"ohjautu",
        rf"(?:en|emme)\s+(?:{_OO}\s+)?(?:\S+\s+)?oikea|väärä\s+(?:henkilö|osoite|ihminen)|"
        r"(?:ei|eivät)\s+kuulu\s+(?:enää\s+)?(?:minulle|mulle|meille)",
    ),
    referral_beside=(
        # (not the German and Swedish Kollege, Kollegen, Kollegin, kolleger, kollegor)
        r"kolleg(?!e[nr]?\b|in(?:nen)?\b|or\b)|työkaveri|esimie(?:he|s)|ostopäällik|hankinta(?:päällik|vastaa|osast)|"
        r"myyntijohtaj|toimitusjohtaj|it-päällik",
        r"laitoin\s+\S+\s+cc|cc:?ssä|cc:(?:hen|ksi)|kopioin\s+\S+|kopio(?:ksi|on|na)\b",
    ),
    refusal=(
        rf"{_NEG}\s+(?:{_WORD}\s+){{0,3}}?(?:kiinnost|mielenkiin|ajankohtai|tarve|tarvet|"
        rf"tarvit{_NO_HURRY}|tarpee|tarvi{_NO_HURRY}|sovi\b|sovellu|käyttöä|budjet|rahaa|resurss|"
        r"aikaa|ole\s+meille)",
        rf"{_NEG}\s+(?:{_WORD}\s+){{0,2}}?(?:nyt|juuri\s+nyt|tällä\s+hetkellä|tänä\s+vuonna)\b",
        r"ei\s+kiitos\b|kiitos\s+ei\b|kiitos,?\s+(?:mutta|vaan)\s+(?:ei|emme|en)\b",
        r"(?:meillä|meille)\s+on\s+(?:jo|jo\s+ennestään|olemassa)\b|käytämme\s+(?:jo|nykyään)\b|"
        r"olemme\s+(?:jo|juuri)\s+(?:valinneet|tehneet|sitoutuneet|hankkineet|ostaneet|"
        r"allekirjoittaneet|päättäneet)",
        r"palataan\s+(?:\S+\s+){0,2}?(?:ensi\s+vuon|syksyllä|keväällä|kesällä|talvella|"
        r"myöhemmin|vuoden\s+päästä|q\d|\S+kuussa|\S+kuun\s+jälkeen)",
        r"(?:ota|ottakaa|olkaa)\s+yhteyttä\s+(?:uudelleen|uudestaan|taas|vasta)?\s*(?:ensi\s+vuon|"
        r"syksyllä|keväällä|kesällä|myöhemmin|vuoden\s+päästä|q\d|\S+kuussa)",
        rf"(?:ehkä\s+)?joskus\s+myöhemmin|muita\s+kiireitä|tällä\s+(?:kertaa|erää)\s+{_NEG}\b|"
        rf"{_NEG}\s+tällä\s+(?:kertaa|erää)|"
        r"ehkä\s+(?:myöhemmin|ensi\s+vuonna)|myöhemmin\s+ehkä|ei\s+juuri\s+nyt|ei\s+nyt\b",
        r"(?:budjetti|tarve|tarvetta|kiinnostusta|aikaa|rahaa|resursseja)\w*\s+(?:\S+\s+)?ei\b",
        r"liian\s+(?:kallis|kallista|kalliilta|kova|korkea|iso|suuri)|jätämme\s+väliin|jätän\s+väliin|passaan\b|"
        r"passataan\b",
        r"(?:olemme|olen|ollaan|oon|olen\s+ollut|olemme\s+olleet)\s+(?:\S+\s+)?tyytyväi|"
        r"en\s+enää\s+työskentele",
        r"emme\s+lähde\b|en\s+lähde\b|emme\s+jatka\b|ei\s+jatketa\b",
        rf"{_NEG}\s+(?:{_WORD}\s+){{0,3}}?(?:oteta|ota|otettaisi\w*)\s+"
        rf"(?:{_WORD}\s+){{0,3}}?käyttöön",
        rf"{_NEG}\s+(?:{_OO}\s+)?(?:{_WORD}\s+){{0,3}}?(?:juttu|homma|tarpeen|tarpeellin|"
        # "ei ole hankintalain mukainen tarjouspyyntö" (a public buyer's request for information
        # is no formal tender) declines nothing
        r"relevantti|ajankohta|meitä\s+varten|meille\b|osta|hank(?!intala)|investoi|vaihta|vaihda|"
        rf"lähdetä|käy\b|onnistu|kannata|hyödyt|tarvita|tarvitse{_NO_HURRY}|halua|innosta|"
        r"sytytä|napanna|nappaa|murhe|ongelma|suunnitelm|agendalla|listalla|prioriteet|"
        r"ohjelmassa|pöydällä|vastaa\s+(?:\S+\s+)?tarpei|täytä|kohtaa|varattu|istu\b|tartu|"
        r"innostu|kaipaa|edes)",
        r"(?:ei|en|emme)\s+kiitti\b|kiitti\s+(?:mut|mutta)?\s*ei\b|kiitos\s+(?:mut|mutta)\s+"
        r"(?:ei|emme|en|tämä\s+ei)\b|valitettavasti\s+(?:ei|emme|en|tämä\s+ei|"
        r"meillä\s+ei|tällä)\b|ei\s+kyllä\b|^\s*ei\b(?!\s+(?:haittaa|se\s+mitään|siinä\s+mitään|"
        rf"hätää|ongelmaa|huolta|mitään|tarvi{_HURRY}))",
        r"(?:meillä|meille)\s+on\s+(?:\S+\s+){0,2}?(?:oma|omat|oman|käytössä|sopimus|toimittaja)|"
        r"oma\w*\s+(?:järjestelmä|ratkaisu|työkalu|sovellus|softa|tiimi)|(?:jo|nyt)\s+käytössä|"
        r"käytössä\s+(?:on\s+)?jo|käytämme\s+(?:\S+\s+)?(?:jo|muuta|toista)|teimme\s+itse|"
        r"tehty\s+itse|itse\s+tehty|sopimus\s+(?:\S+\s+){0,2}?(?:asti|(?<!teidän\s)(?<!teijän\s)"
        r"(?<!sinun\s)kanssa(?!nne|si)|voimassa)",
        r"palail(?:laan|en|emme)|palaa(?:mme|n)\s+asiaan,?\s+(?:jos|kun|mikäli|myöhemmin|ensi(?!\s+(?:viikolla|viikon)\b))|"
        r"(?:otamme|otan|otetaan)\s+yhteyttä\s+(?:itse\s+)?(?:jos|kun|mikäli|tarvittaessa)|"
        r"(?:ilmoittelen|ilmoitamme|ilmoittelemme|ilmoitan)\s+(?:jos|kun|mikäli)|"
        r"jos\s+tarvetta\s+(?:tulee|ilmenee|syntyy)|ensi\s+vuonna\s+(?:ehkä|uudestaan|"
        r"uudelleen)|(?:katsotaan|katsellaan)\s+(?:ensi\s+vuon|myöhemmin|syksyllä|keväällä)",
        r"(?:jätetään|jätän|jätämme)\s+(?:\S+\s+)?(?:väliin|tällä\s+kertaa)|ohita(?:n|mme)\b|(?:en|emme)\s+(?:\S+\s+)?"
        r"lähde\s+(?:mukaan|mihinkään|tähän)|ei\s+(?:meillä|mulla|minulla)\s+(?:\S+\s+)?(?:tarvetta|rahaa|budjettia|"
        r"aikaa|resursseja)|(?:kaikki|budjetit|hankinnat)\s+(?:on\s+)?jäädytetty|jäädytys",
        r"liian\s+(?:kallis|kalliita|kiire|kiireinen|kiireistä|pieni|pieniä)|kiireinen\s+"
        r"(?:vuosi|syksy|kevät|aika)|(?:en|emme)\s+(?:\S+\s+)?(?:tällä\s+hetkellä\s+)?"
        r"(?:ostamassa|hankkimassa|vaihtamassa|investoimassa|etsimässä|kaipaa)",
        r"turha\w*\b|tarpeeton|(?:järjestelmä|ratkaisu|työkalu|ohjelmisto|softa|toimittaja|"
        r"erp|wms)\w*\s+(?:\S+\s+)?(?:hoitaa|hoitavat|kattaa|tekee)\b",
        rf"{_NEG}\s+(?:ole|oo|työskentele)\s+enää|olen\s+(?:lopettanut|vaihtanut\s+(?:työ|"
        r"firma|yhtiö))|olen\s+siirtynyt\s+(?:toiseen|muualle|uuteen|toisiin)",
        r"budjet\w*\s+(?:\S+\s+){0,4}?(?:käytetty|loppu|lukittu|lukossa|lyöty|sidottu|"
        r"jäädytetty|leikattu|täynnä|päätetty)|rahat\s+(?:on\s+)?(?:jo\s+)?loppu|"
        r"(?:päätimme|päätettiin|päätin|päättäneet|päättänyt|päätetty|päädyimme|päädyttiin|"
        r"päätyneet|päätynyt|päädytty|"
        r"valitsimme|valittiin|valitsin|valinneet|valittu)\s+(?:\S+\s+){0,2}?(?:olla|toise|muu|"
        r"kilpailij|eri\b|jatkaa\s+nykyi|keskitty)|"
        r"keskit\w*\s+(?:\S+\s+)?muihin|olla\s+\S+(?:matta|mättä)\b|"
        r"pärjä(?:tään|ämme|ään|illään|taan)\b|"
        r"kiitos\s+(?:\S+\s+){0,2}?(?:mutta|mut|vaan)\s+(?:ei|emme|en|tämä\s+ei)\b|"
        r"jo\s+(?:\S+\s+)?hoidossa|hoidossa\s+jo|jo\s+hoidettu|"
        r"(?:homma|asia|asiat|tää|tämä|se)\s+(?:on|ovat)\s+"
        r"(?:\S+\s+)?(?:hoidossa|hanskassa|hallussa)|on\s+(?:homma|asia|asiat|hommat)\s+"
        r"(?:\S+\s+)?(?:hoidossa|hanskassa|hallussa)|"
        r"lyöty\s+lukkoon|(?:jos|mikäli|kun)\s+tilanne\s+(?:\S+\s+)?muuttu|tilanteen\s+muuttuessa",
    ),
    interest=(
        r"kiinnost|mielenkiintoi|mielenkiinnolla",
        r"(?:ota|ottakaa|ottaa)\s+yhteyttä\s+(?:minuun|muhun|meihin)|soitellaan|soitetaan|"
        r"voidaan\s+(?:jutella|keskustella|puhua|sopia)|jutellaan|keskustellaan|puhutaan|hyöty|hyödyl|soita(?:kaa)?\s+(?:minulle|mulle|huomenna|ensi)|voi(?:t|tte)\s+"
        r"soittaa|soitto\b|puhelu|puhelin(?:numeroni|numero)|numeroni\b",
        r"palaveri|palaverin|tapaaminen|tapaamisen|tavataan|tavata|tapaisin|teams(?:-?\w+|\s+(?:sopii|käy|toimii|on\s+ok|palaveri|linkki)\b|\s*\?)|"
        r"videopuhelu|demo|esitte|esitel|näyttämään",
        r"sovitaan|sopii\s+(?:hyvin|mainiosti|meille|minulle|mulle|loistavasti)|sopisi|"
        r"käy(?:\s+hyvin|\s+minulle|\s+mulle|\s+meille)|(?<!\S)\S+na?\s+klo\s+\d",
        r"lisätie|lisää\s+tietoa|tarkempaa\s+tietoa|materiaali|esite|hinnast|hinta|hinnat|hintoj|"
        r"tarjou|mitä\s+(?:\S+\s+)?(?:tämä|se|palvelu|ratkaisu)\s+(?:\S+\s+)?maksa|paljonko|"
        r"kustann",
        r"kerto(?:a|isit|isitko|isitteko|tko|kaa)?\s+(?:\S+\s+)?(?:lisää|tarkemmin|enemmän)|"
        r"miten\s+(?:\S+\s+){0,3}?toimi|(?:vaikuttaa|näyttää)\s+(?:\S+\s+)?(?:hyvältä|"
        r"mielenkiintoiselta|lupaavalta|järkevältä|kiinnostavalta)|kerro(?:tko|kaa)?\s+lisää|kuulisin|kuulen\s+mielelläni|mielelläni|mielellään|"
        r"varataan|varaa\s+aika|kalenterikutsu|kutsu\b|lähetä\s+(?:kutsu|lisää|tietoa|tarjous)",
        # a yes that opens the reply; not "kyllä" that stresses a statement of the writer's ("kyllä
        # meillä on EUR-lavoja myytävänä", "kyllä se niin on"), which its own cue must carry
        r"^\s*(?:kyllä(?!\s+(?:meillä|meiltä|meille|mulla|mulle|minulla|me|mä|mää|mie|minä|se|ne|"
        r"tää|tämä|täällä|siellä|niitä|sitä|niin|sen)\b)|joo|juu|ehdottomasti|totta\s+kai|"
        r"ilman\s+muuta)\b|kuulostaa\s+(?:hyvältä|"
        r"hyvälle|mielenkiintoiselta|järkevältä|lupaavalta)",
        r"(?:kuulostaa|kuulostaisi|vaikuttaa|näyttää|tuntuu)\s+(?:\S+\s+)?(?:hyvältä|hyvälle|"
        r"kivalta|hienolta|fiksulta|järkevältä|hyödylliseltä|kiinnostavalta|lupaavalta|"
        r"toimivalta|hyvä)|hyvä\s+(?:idea|ajatus|juttu)|(?:siistiä|loistavaa|mahtavaa|hienoa)\b",
        r"(?:voidaan|voitais(?:iin)?|voisimme|voitaisko|voidaanko|voisimmeko|pitäis(?:i)?)\s+"
        r"(?:\S+\s+)?(?:jutella|keskustella|puhua|soitella|tavata|sopia|katsoa|käydä|kokeilla|"
        r"testata|palaveerata)|jutella|juttelemaan|keskustelemaan|keskustella|soitella|soittele(?!e|vat)|"
        r"soitatko|soittaisitko|soitathan|soita\b|soittaa\b|soittakaa\b",
        r"laita(?:tko|kaa|than|isitko|isitteko|)\s+(?:\S+\s+){0,2}?(?:lisätie|infoa|info\b|"
        r"tietoa|tiedot|materiaali|luettava|esite|hinnast|hintoj|tarjous|tarjousta|kutsu|linkki|"
        r"esitys|kalvo|video|tulemaan)|lähettä(?:isitkö|isittekö|kää|isitkö|tkö|isit)\b"
        # (not an invoice's details: "lähettäkää laskun numero ja erittely")
        r"(?!\s+(?:\S+\s+)?(?:lasku|laskun|laskut|laskujen|kuitti|kuitin|erittely))|"
        r"lähetä\s+(?:\S+\s+)?(?:infoa|materiaali|esite|hinnast|hintoj|kalvo|linkki)",
        r"mitä\s+(?:\S+\s+){0,4}?maks|paljon(?:ko)?\s+(?:\S+\s+){0,3}?(?:maks|kustan|hinta)|"
        r"hinno(?:ittelu|itelu)|hinnoit|kuukausimaksu|lisenssi|budjetoi",
        r"sopi(?:siko|iko|isi|i|s)\b|kävis(?:i)?\b|kävisikö|käykö|"
        r"käy\s+(?:\S+\s+)?(?:mulle|minulle|meille|hyvin|"
        r"kyllä|ok|maanantai|tiistai|keskiviikko|torstai|perjantai|ensi)|"
        r"(?:ehtisit|ehditkö|ehtisitkö|ehtisittekö|pääsisit|pääsisitkö|pääsetkö|voisitko\s+tulla|"
        r"tulla\s+käymään|käymään\s+\S+ssa)\b|milloin\s+(?:\S+\s+)?(?:olisi|sopisi|ehdit|"
        r"ehtisit|pääsisit|voisit|voitaisiin|voisimme|olet|olisit|ois)",
        r"(?:maanantai|tiistai|keskiviikko|torstai|perjantai)\w*\s+(?:\S+\s+)?(?:klo|aamu|"
        r"iltapäiv|käy|sopii|sopisi|olisi|on\s+vapaata|ois)|(?:mulla|minulla|meillä)\s+on\s+"
        r"(?:\S+\s+)?(?:aikaa|vapaata|rako)",
        # a slot offered in short: "ti tai ke iltapäivä käy", "pe aamupäivä sopii", "aamut käy"
        r"(?:ma|ti|ke|to|pe)\s+(?:(?:tai|ja)\s+(?:ma|ti|ke|to|pe)\s+)?(?:klo|aamu|iltapäiv|käy|"
        r"sopii)|(?:aamu|aamupäiv|iltapäiv|ilta)\w*\s+(?:\S+\s+)?(?:käy|käyvät|sopii|sopivat|"
        r"sopisi)\b",
        r"kokeil|pilot|testaa|testata|testaamaan|koekäyt|tutustu|katsotaan|katsoisin|katsoisimme|"
        r"katsomaan|katsellaan|arvioida|arvioimaan|ratkaista|ratkaisisi|auttaisi|auttaa\s+meitä|"
        r"tarvitsemme\s+(?:\S+\s+)?(?:tällaista|tätä|jotain)|tarvetta\s+(?:olisi|on)|"
        r"(?:olisin|olisimme|oltais(?:iin)?|ollaan)\s+(?:\S+\s+)?(?:valmiita|valmis|"
        r"kiinnostuneita|halukkaita|halukas|avoimia)",
        r"haluaisi(?:n|mme)?\s+(?:\S+\s+)?(?:kuulla|nähdä|tietää|tutustua|kokeilla|lisää|"
        r"tarjouksen|demon|esittelyn|palaverin|keskustella|jutella)|halutaan\s+(?:kuulla|nähdä|"
        r"tietää|kokeilla)|infoa\b|(?:oisin|oisimme)\s+kiinnos|ota\s+(?:mut|minut)\s+mukaan|"
        r"mukaan\s+(?:webinaariin|pilottiin|kokeiluun)|ilmoittaudun|ilmoittautu",
        r"numeroni\s+on|numero(?:on|ssa)\b|tavoitat\s+(?:minut|mut|meidät)|sähköpostiini|"
        r"kalenteri|kalenterista|kalenteriini|varataan|varatkaa|varaa\b|varaisin|varaan",
        r"ei\s+(?:olisi\s+)?(?:haittaisi|pahitteeksi)|en\s+pane\s+pahakseni|miksei|miksi\s+ei\b|mikä(?:s)?\s+ettei\b",
        r"(?:voisit(?:ko|teko)?|voisitte|voitteko|voitko|voiko|voisiko|voinko|voisinko|"
        r"voisimmeko|saisinko|saisimmeko|saako|saisiko)\s+(?:\S+\s+){0,2}?(?:lähettää|laittaa|"
        r"toimittaa|kertoa|näyttää|esitellä|soittaa|saada|tulla|avata|jakaa)\b"
        r"(?!\s+(?:\S+\s+)?(?:uudelleen|uudestaan))|saisinko\b|"
        r"saisimmeko\b|voinko\s+saada",
        r"ratkais(?:ette|isitte|isitko|tteko|isi)\b|(?:ollaan|olemme|olen|oon)\s+(?:\S+\s+)?"
        r"(?:etsitty|etsineet|etsinyt|kaivattu|kaivanneet|kaivannut)\b|"
        r"(?:olis|ois|olisi)\s+(?:\S+\s+)?(?:käyttöä|tarvetta|tilausta)|tervetuloa\s+(?:käymään|"
        r"meille|tutustumaan|esittelemään)|"
        r"kerro(?:tko|kaa|t|than)?\s+(?:\S+\s+){0,2}?(?:lisää|tarkemmin|enemmän|mitä|miten|"
        r"millai|paljonko)|"
        r"referenss|asiakasesimerk|asiakascase|käyttökokemuk|esittel|käyttöönot|integraat|"
        r"rajapin|toimi(?:iko|isiko)\b|(?:kauanko|kuinka\s+kauan|miten\s+kauan|kuinka\s+pitkään)"
        r"\s+(?:\S+\s+){0,3}?(?:kestää|kestäisi|vie|veisi)",
    ),
    aside=(
        r"(?:älä|älkää)\s+(?:\S+\s+)?vast(?:aa|atko|atkaa)\s+(?:\S+\s+)?(?:niille|heille|tälle\s+firmalle)\b",
    ),
    behalf=(
        r"puolesta(?:an|nsa|ni)?\b|pyysi\s+(?:minua|mua|meitä|minun|mun)\s+(?:\S+\s+)?"
        r"(?:vastaamaan|ilmoittamaan|kertomaan|kuittaamaan)",
    ),
    inline=(
        r"(?:vastaukse\w*|vastauksi\w*|kommenti\w*|kommentte\w*)\s+(?:\S+\s+){0,2}?(?:sekaan|"
        r"väliin|lomaan|joukkoon|alla|alle|alapuolella|punaisella|sinisellä|kohta\s+kohdalta)",
        r"(?:vastaan|vastasin|vastailen|kommentoin|kommentoi\w*)\s+(?:\S+\s+){0,2}?(?:sekaan|väliin|"
        r"lomaan|joukkoon|alle|alapuolelle|kohta\s+kohdalta)",
    ),
    answer_yes=r"kyllä|kylla|joo|juu|jep|jees|totta\s+kai|ehdottomasti|todellakin|mikä\s+ettei",
    answer_no=r"ei(?:\s+(?:todellakaan|kiitos|yhtään|oikeastaan|meitä|meita))?|eipä|eipa|ei\s+ei",
    echo=(
        r"mihin|mist[äa]|miss[äa]|mit[äa]|mik[äa]|millaise\w*|h[äa]h|muka|siis|niink[öo]|vai|"
        r"(?:ihan\s+)?oike[ea]sti|tosiaan|minua|minulle|mua|mulle|meit[äa]|meille|m[äa]|me",
    ),
    busy=(
        r"(?:venyy|venyi|venähti|venähtää|venyvä|jatkuu|jatkui|myöhästyy|pitkittyy|pitkittyi)\s+"
        r"(?:\S+\s+)?(?:palaveri|kokous|tapaaminen|neuvottelu|teams)\w*|(?:palaveri|kokous|"
        r"tapaaminen|neuvottelu)\w*\s+(?:\S+\s+)?(?:venyy|venyi|venähti|venähtää|jatkuu|jatkui|"
        r"myöhästyy|pitkittyy|pitkittyi)\b",
        r"(?:olen|oon|olin|istun|istuin)\s+(?:\S+\s+){0,2}?(?:palaveri|palavere|kokoukse|"
        r"kokouksi|tapaamise|tapaamisi|neuvottelu|teams-palaveri)\w*(?:ssa|ssä)\b",
        r"(?:mulla|minulla|mul)\s+on\s+(?:\S+\s+)?(?:palaveri|kokous|tapaaminen|neuvottelu)\b",
    ),
    undecided=(
        # "Hmm, pitää miettiä", "täytyy vielä vähän funtsia", "mietitään", "harkitsen asiaa"
        r"(?:pitää|pitäis|pitäisi|täytyy|täytyis|täytyisi|tarttee)\s+(?:\S+\s+){0,2}?(?:miettiä|"
        r"harkita|pohtia|funtsia|funtsata|pähkäillä|sulatella|tuumata|tuumailla)\b|(?:mietin|"
        r"mietitään|harkitsen|harkitaan|pohdin|pohditaan|funtsin|funtsitaan|sulattelen|"
        r"tuumailen|pähkäilen)\b",
        # "we'll see" or "maybe" as a sentence of its own: "Katsellaan.", "Katsotaan nyt", "Ehkä."
        r"(?:katsellaan|katsotaan)(?:\s+(?:nyt|sitten|vielä))?\s*(?:[.!…]+|$)|(?:^|(?<=[.!?]\s))"
        r"(?:hmm+[,.]?\s+)?ehkä\s*(?:[.!…]+|$)",
    ),
    deferral=(
        # "palaan asiaan mielelläni, jos tilanne muuttuu", "tarpeen ilmetessä otamme yhteyttä"
        r"(?:jos|mikäli|kun)\s+(?:\S+\s+){0,2}?(?:tilanne|tilanteemme|tarve|tarpeet|tarvetta)\s+"
        r"(?:\S+\s+)?(?:muuttu|ilmenee|ilmaantuu|tulee|syntyy)|tilanteen\s+muuttuessa|"
        r"tarpeen\s+(?:ilmetessä|tullen|vaatiessa)",
    ),
    spam_place=(
        r"roskapost(?:iin|issa|ista|ikansio\w*|isuodat\w*|ilaatik\w*|ikori\w*)|"
        r"(?:spam|spämmi|spammi)(?:-|\s*)?(?:kansio\w*|suodat\w*|filt\w*|laatik\w*)|"
        r"(?:spam|spämmi|spammi)(?:iin|issa|ista)\b|spam:iin\b",
    ),
    standing=(
        r"kiire|tarvittaessa|hätä|rajoitetusti|palattuani|palaan\s+viesteihin|poissaoloni|sijai|"
        r"automaat|poissaoloilmoitus|lomavastaaja|voit\s+(?:soittaa|tavoittaa)|tavoitat\s+minut|vastaan\s+(?:viesteihin|"
        r"sähköposteihin)",
    ),
    negation=r"ei|ee|en|emme|ette|eivät|eikä|enkä|emmekä|ettei|etten|ettemme|älä|älkää",
)
