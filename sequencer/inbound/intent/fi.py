"""Finnish cues for reply intent (see :class:`~sequencer.inbound.intent.lexicon.Lexicon`).

Finnish inflects, so most cues are stems: ``kiinnost`` covers kiinnostaa, kiinnostunut,
kiinnostaisi and kiinnostuneita; ``kolleg`` covers kollegani, kollegalleni and kollegaamme.
Negation is a verb of its own (ei, en, emme, eivät...), usually a few words before the stem:
"ei kiinnosta", "en ole kiinnostunut", "emme ole tällä hetkellä kiinnostuneita".
"""

from __future__ import annotations

from sequencer.inbound.intent.lexicon import Lexicon

_NEG = r"(?:ei|en|et|emme|ette|eivät|eikä|enkä|emmekä)"
_WORD = r"[^\s,.;:!?]+"  # a word within the clause (a negation never reaches past a comma)
_ME = r"(?:minuun|muhun|meihin|minulle|mulle|meille|uudelleen|uudestaan|takaisin)"
_UPPER = "A-ZÄÖÅ"
_LOWER = "a-zäöåé"
#: A person: a full name anywhere, a capitalised name inside a sentence (case-sensitive: a
#: sentence's first word may be any noun), a pronoun or a role.
_ROLE = (
    r"\S*(?:päällik|johtaj|vastaav|kolleg|esimie|työkaver|assistent|koordinaattor|"
    r"asiantuntij|myyjä|ostaja|omistaj|yhteyshenkil)\S*"
)
_PERSON = (
    rf"(?:(?-i:[{_UPPER}][{_LOWER}]+\s+[{_UPPER}][{_LOWER}]+)|(?<=[^\s.!?]\s)(?-i:[{_UPPER}]"
    rf"[{_LOWER}]+)|hän|he|{_ROLE})"
)
_OO = r"(?:ole|oo|olla|olisi|ois)"  # "ei ole", spoken "ei oo"
_LEAVE = (
    r"(?:vuosi|kesä|talvi|syys|hiihto|isyys|äitiys|vanhempain|sairaus|joulu|pääsiäis)?"
    r"(?:lomalla|lomilla|vapaalla)|perhevapaalla|virkavapaalla|opintovapaalla|vanhempainvapaalla|"
    r"poissa|matkoilla|työmatkalla|matkalla|koulutuksessa|messuilla"
)

LEXICON = Lexicon(
    language="fi",
    unsubscribe=(
        r"(?:älkää|älä)\s+(?:enää\s+)?(?:lähettäkö|lähetä|ottako|ota|kirjoittako|kirjoita|"
        r"soittako|soita|markkinoiko)\b",
        r"en\s+halua\s+(?:enää\s+)?(?:näitä|viestejä|sähköposte|yhteydenotto|markkinointi|"
        r"mainos|teiltä)",
        r"emme\s+halua\s+(?:enää\s+)?(?:näitä|viestejä|sähköposte|yhteydenotto|markkinointi|"
        r"mainos|teiltä)",
        r"poist(?:a|akaa)\s+(?:tietoni|meidät|nimeni|yhteystietoni|osoitteeni|sähköpostiosoitteeni|"
        r"osoitteemme|tietomme|meidän)\b",
        r"(?:ei|en\s+halua)\s+enää\s+(?:viestejä|sähköposte|yhteydenotto|postia)",
        r"lopett(?:akaa|aa|akaa\s+jo)\s+(?:viestien\s+|sähköpostien\s+|postin\s+)?(?:lähettäminen|"
        r"lähettely|spämmäys)",
        r"markkinointikiel|kiellän\s+(?:suoramarkkinoinnin|markkinoinnin)",
        r"peru(?:n|tan|utan)\s+tilauk",
        r"(?:tietoni|tietomme|osoitteeni|yhteystietoni|nimeni)\s+(?:\S+\s+)?(?:poistetaan|"
        r"poistettaisiin|poistettava)",
        r"lopet(?:a|takaa|akaa)\s+(?:jo\s+)?(?:nämä|näiden|viestien|sähköpostien|tämä|viestit)",
        r"poist(?:a|akaa|athan|aisitteko|aisitko|atko|etaan)\s+(?:\S+\s+)?(?:minut|mut|mua|"
        r"meidät|meitä|osoite|sähköpostini)\b(?!\s+(?:\S+\s+)?(?:\S*ketju|keskustelu|kopio|cc|"
        r"kutsu|palaveri))|pois\s+(?:\S+\s+)?(?:listalta|listoilta|"
        r"rekisteristä|postituslistalta|jakelusta)",
        r"lopet(?:takaa|a|akaa)\s+(?:jo\s+|heti\s+|nyt\s+)*(?:[.!]|$)|lopet(?:takaa|a)\s+"
        r"(?:jo|heti)\b|roskapost|spämm|spam\b",
        r"(?:en|emme)\s+(?:halua|halunnut|ole\s+tilannut|ole\s+pyytänyt|tilannut|pyytänyt)\s+"
        r"(?:enää\s+)?(?:saada|vastaanottaa|mitään|tällaisia|näitä|teidän|viestejänne|"
        r"markkinointi|postia)",
        r"kieltäydyn\s+(?:\S+\s+){0,2}?markkinoin|(?:älä|älkää)\s+(?:enää\s+)?(?:laita|"
        r"laittako|spämmää|häiritse|häiritkö|pommita|pommittako)\b|jättäkää\s+(?:minut|meidät)"
        r"\s+rauhaan|jätä\s+(?:minut|mut|meidät)\s+rauhaan",
    ),
    absence=(
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
    ),
    referral=(
        rf"(?:ota|ottakaa|otatteko|olkaa|ole|olisitko|voisitko\s+olla)\s+yhteyttä\s+(?!{_ME})"
        r"(?:\S+\s+){0,2}?\S+(?:aan|ään|een|iin|oon|uun|yyn|ön|hon|hin|seen|siin)\b",
        r"(?:ole|olkaa)\s+yhteydessä\s+(?!minuun|meihin|muhun)",
        r"kolleg|työkaveri|esimie(?:he|s)|ostopäällik|hankinta(?:päällik|vastaa|osast)|"
        r"myyntijohtaj|toimitusjohtaj|it-päällik",
        rf"{_PERSON}\s+(?:vastaa|vastaavat|hoitaa|hoitavat|päättää|päättävät)\s+"
        r"(?:\S+\s+)?(?:näistä|tästä|tällaisista|meillä|asiasta|asioista|hankinnoista|nämä|tämän|"
        r"näitä|asian|hankinnat|ostoista|päätöksistä)",
        r"(?:välitin|välitän|välitetty|välitimme|laitoin|laitan|laitoimme|ohjasin|ohjaan|toimitin|"
        r"toimitan|lähetin|siirsin|siirrän)\s+"
        r"(?:\S+\s+){0,2}?(?:eteenpäin|\S+lle\b)",
        r"(?:oikea|parempi|sopivampi)\s+(?:henkilö|ihminen|taho|kontakti|yhteyshenkilö)\b",
        r"kannattaa\s+(?:kysyä|olla\s+yhteydessä|ottaa\s+yhteyttä|kääntyä)",
        r"(?:kysy|kysykää|kääntykää|käänny)\s+\S+(?:lta|ltä)\b",
        r"kuulu(?:u|vat)\s+(?!minulle|meille|mulle)(?:\S+\s+)?\S+lle\b",
        rf"(?:hoitaa|hoitavat|päättää|päättävät|vastaa|vastaavat|omistaa)\s+(?:\S+\s+){{0,2}}?"
        rf"{_PERSON}|\S+(?:sta|stä)\s+vastaa(?:vat)?\s+"
        rf"{_PERSON}",
        rf"(?:paras|oikea|sopivin|parempi)\s+(?:kontakti|henkilö|ihminen|taho|osoite)\s+(?:\S+\s+)?"
        rf"(?:on|olisi)\b|{_PERSON}\s+on\s+(?:oikea|parempi|paras|sopivampi)\s+(?:henkilö|"
        r"ihminen|kontakti)",
        rf"(?:lähetä|laita|laittakaa|lähettäkää|kirjoita|kirjoittakaa|soita|soittakaa|"
        rf"ohjaa|ohjatkaa|välitä|välittäkää)\s+(?:\S+\s+){{0,2}}?(?:hänelle|heille|{_ROLE}lle|"
        rf"(?-i:[{_UPPER}][{_LOWER}]+)(?:lle|\s+\S+lle)\b)",
        r"(?:ohjaan|ohjasin|välitän|välitin|laitan|laitoin|siirrän|siirsin)\s+(?:viestin|"
        r"viestisi|tämän|asian|sähköpostisi|sen)\b|vastaa\s+tästä\s+(?:asiasta\s+)?(?:meillä|"
        r"nykyään)?|laitoin\s+\S+\s+cc|cc:?ssä|kopioin\s+\S+",
        rf"(?:kysy|kysykää|kysyisitkö|soita|soittakaa|ole\s+yhteydessä|olkaa\s+yhteydessä|"
        rf"ota\s+yhteyttä|ottakaa\s+yhteyttä)\s+(?:\S+\s+)?(?-i:[{_UPPER}][{_LOWER}]+)"
        r"(?:lta|ltä|lle|aan|ään|iin|hin|seen)\b",
    ),
    referral_weak=(r"yhteyttä\b", r"yhteydessä\b", r"osoit|sähköposti|tavoitat\b|kysy\b"),
    refusal=(
        rf"{_NEG}\s+(?:{_WORD}\s+){{0,3}}?(?:kiinnost|mielenkiin|ajankohtai|tarve|tarvet|tarvit|tarpee|"
        r"tarvi|sovi\b|sovellu|käyttöä|budjet|rahaa|resurss|aikaa|ole\s+meille)",
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
        r"(?:olemme|olen)\s+tyytyväisiä|(?:olemme|olen)\s+tyytyväinen|en\s+ole\s+oikea|"
        r"väärä\s+henkilö|en\s+enää\s+työskentele",
        r"emme\s+lähde\b|en\s+lähde\b|emme\s+jatka\b|ei\s+jatketa\b",
        rf"{_NEG}\s+(?:{_OO}\s+)?(?:{_WORD}\s+){{0,3}}?(?:juttu|homma|tarpeen|tarpeellin|"
        r"relevantti|ajankohta|meitä\s+varten|meille\b|osta|hank|investoi|vaihta|vaihda|"
        r"lähdetä|käy\b|onnistu|kannata|hyödyt|tarvita|tarvitse|halua|innosta|"
        r"sytytä|napanna|nappaa)",
        r"(?:ei|en|emme)\s+kiitti\b|kiitti\s+(?:mut|mutta)?\s*ei\b|kiitos\s+(?:mut|mutta)\s+"
        r"(?:ei|emme|en|tämä\s+ei)\b|valitettavasti\s+(?:ei|emme|en|tämä\s+ei|"
        r"meillä\s+ei|tällä)\b|ei\s+kyllä\b|^\s*ei\b(?!\s+(?:haittaa|se\s+mitään|hätää))",
        r"(?:meillä|meille)\s+on\s+(?:\S+\s+){0,2}?(?:oma|omat|oman|käytössä|sopimus|toimittaja)|"
        r"oma\w*\s+(?:järjestelmä|ratkaisu|työkalu|sovellus|softa|tiimi)|(?:jo|nyt)\s+käytössä|"
        r"käytössä\s+(?:on\s+)?jo|käytämme\s+(?:\S+\s+)?(?:jo|muuta|toista)|teimme\s+itse|"
        r"tehty\s+itse|itse\s+tehty|sopimus\s+(?:\S+\s+){0,2}?(?:asti|kanssa|voimassa)",
        r"palail(?:laan|en|emme)|palaa(?:mme|n)\s+asiaan\s+(?:jos|kun|mikäli|myöhemmin|ensi)|"
        r"(?:otamme|otan|otetaan)\s+yhteyttä\s+(?:itse\s+)?(?:jos|kun|mikäli|tarvittaessa)|"
        r"(?:ilmoittelen|ilmoitamme|ilmoittelemme|ilmoitan)\s+(?:jos|kun|mikäli)|"
        r"jos\s+tarvetta\s+(?:tulee|ilmenee|syntyy)|ensi\s+vuonna\s+(?:ehkä|uudestaan|"
        r"uudelleen)|(?:katsotaan|katsellaan)\s+(?:ensi\s+vuon|myöhemmin|syksyllä|keväällä)",
        r"(?:jätetään|jätän|jätämme)\s+(?:\S+\s+)?(?:väliin|tällä\s+kertaa)|ohita(?:n|mme)\b|(?:en|emme)\s+(?:\S+\s+)?"
        r"lähde\s+mukaan|ei\s+(?:meillä|mulla|minulla)\s+(?:\S+\s+)?(?:tarvetta|rahaa|budjettia|"
        r"aikaa|resursseja)|(?:kaikki|budjetit|hankinnat)\s+(?:on\s+)?jäädytetty|jäädytys",
        r"liian\s+(?:kallis|kalliita|kiire|kiireinen|kiireistä|pieni|pieniä)|kiireinen\s+"
        r"(?:vuosi|syksy|kevät|aika)|(?:en|emme)\s+(?:\S+\s+)?(?:tällä\s+hetkellä\s+)?"
        r"(?:ostamassa|hankkimassa|vaihtamassa|investoimassa|etsimässä|kaipaa)",
        r"turha\w*\b|tarpeeton|(?:järjestelmä|ratkaisu|työkalu|ohjelmisto|softa|toimittaja|"
        r"erp|wms)\w*\s+(?:\S+\s+)?(?:hoitaa|hoitavat|kattaa|tekee)\b",
        rf"{_NEG}\s+(?:ole|oo|työskentele)\s+enää|olen\s+(?:lopettanut|vaihtanut\s+(?:työ|"
        r"firma|yhtiö))|olen\s+siirtynyt\s+(?:toiseen|muualle|uuteen|toisiin)",
        r"budjet\w*\s+(?:on\s+)?(?:jo\s+)?(?:käytetty|loppu|lukittu|sidottu|jäädytetty|"
        r"leikattu|täynnä)|rahat\s+(?:on\s+)?(?:jo\s+)?loppu",
    ),
    interest=(
        r"kiinnost|mielenkiintoi|mielenkiinnolla",
        r"(?:ota|ottakaa|ottaa)\s+yhteyttä\s+(?:minuun|muhun|meihin)|soitellaan|soitetaan|"
        r"jutellaan|keskustellaan|puhutaan|hyöty|hyödyl|soita(?:kaa)?\s+(?:minulle|mulle|huomenna|ensi)|voi(?:t|tte)\s+"
        r"soittaa|soitto\b|puhelu|puhelin(?:numeroni|numero)|numeroni\b",
        r"palaveri|palaverin|tapaaminen|tapaamisen|tavataan|tavata|tapaisin|teams|"
        r"videopuhelu|demo|esitte|esitel|näyttämään",
        r"sovitaan|sopii\s+(?:hyvin|mainiosti|meille|minulle|mulle|loistavasti)|sopisi|"
        r"käy(?:\s+hyvin|\s+minulle|\s+mulle|\s+meille)|\S+na?\s+klo\s+\d",
        r"lisätie|lisää\s+tietoa|tarkempaa\s+tietoa|materiaali|esite|hinnast|hinta|hinnat|hintoj|"
        r"tarjou|mitä\s+(?:\S+\s+)?(?:tämä|se|palvelu|ratkaisu)\s+(?:\S+\s+)?maksa|paljonko|"
        r"kustann",
        r"kerto(?:a|isit|isitko|isitteko|tko|kaa)?\s+(?:\S+\s+)?(?:lisää|tarkemmin|enemmän)|"
        r"miten\s+(?:\S+\s+){0,3}?toimi|(?:vaikuttaa|näyttää)\s+(?:\S+\s+)?(?:hyvältä|"
        r"mielenkiintoiselta|lupaavalta|järkevältä|kiinnostavalta)|kerro(?:tko|kaa)?\s+lisää|kuulisin|kuulen\s+mielelläni|mielelläni|mielellään|"
        r"varataan|varaa\s+aika|kalenterikutsu|kutsu\b|lähetä\s+(?:kutsu|lisää|tietoa|tarjous)",
        r"^\s*(?:kyllä|joo|juu|ehdottomasti|totta\s+kai|ilman\s+muuta)\b|kuulostaa\s+(?:hyvältä|"
        r"hyvälle|mielenkiintoiselta|järkevältä|lupaavalta)",
        r"(?:kuulostaa|kuulostaisi|vaikuttaa|näyttää|tuntuu)\s+(?:\S+\s+)?(?:hyvältä|hyvälle|"
        r"kivalta|hienolta|fiksulta|järkevältä|hyödylliseltä|kiinnostavalta|lupaavalta|"
        r"toimivalta|hyvä)|hyvä\s+(?:idea|ajatus|juttu)|(?:siistiä|loistavaa|mahtavaa|hienoa)\b",
        r"(?:voidaan|voitais(?:iin)?|voisimme|voitaisko|voidaanko|voisimmeko|pitäis(?:i)?)\s+"
        r"(?:\S+\s+)?(?:jutella|keskustella|puhua|soitella|tavata|sopia|katsoa|käydä|kokeilla|"
        r"testata|palaveerata)|jutella|juttelemaan|keskustelemaan|keskustella|soitella|soittele|"
        r"soitatko|soittaisitko|soitathan|soita\b|soittaa\b|soittakaa\b",
        r"laita(?:tko|kaa|than|isitko|isitteko|)\s+(?:\S+\s+){0,2}?(?:lisätie|infoa|info\b|"
        r"tietoa|tiedot|materiaali|esite|hinnast|hintoj|tarjous|tarjousta|kutsu|linkki|"
        r"esitys|kalvo|video|tulemaan)|lähettä(?:isitkö|isittekö|kää|isitkö|tkö|isit)\b|"
        r"lähetä\s+(?:\S+\s+)?(?:infoa|materiaali|esite|hinnast|hintoj|kalvo|linkki)",
        r"mitä\s+(?:\S+\s+){0,4}?maks|paljon(?:ko)?\s+(?:\S+\s+){0,3}?(?:maks|kustan|hinta)|"
        r"hinno(?:ittelu|itelu)|hinnoit|kuukausimaksu|lisenssi|budjetoi",
        r"sopi(?:siko|iko|isi|i)\b|kävisikö|käykö|käy\s+(?:\S+\s+)?(?:mulle|minulle|meille|hyvin|"
        r"kyllä|ok|maanantai|tiistai|keskiviikko|torstai|perjantai|ensi)|"
        r"(?:ehtisit|ehditkö|ehtisitkö|ehtisittekö|pääsisit|pääsisitkö|pääsetkö|voisitko\s+tulla|"
        r"tulla\s+käymään|käymään\s+\S+ssa)\b|milloin\s+(?:\S+\s+)?(?:olisi|sopisi|ehdit|"
        r"ehtisit|pääsisit|voisit|voitaisiin|voisimme|olet|olisit|ois)",
        r"(?:maanantai|tiistai|keskiviikko|torstai|perjantai)\w*\s+(?:\S+\s+)?(?:klo|aamu|"
        r"iltapäiv|käy|sopii|sopisi|olisi|on\s+vapaata|ois)|(?:mulla|minulla|meillä)\s+on\s+"
        r"(?:\S+\s+)?(?:aikaa|vapaata|rako)",
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
        r"ei\s+(?:olisi\s+)?(?:haittaisi|pahitteeksi)|en\s+pane\s+pahakseni|miksei|miksi\s+ei\b",
    ),
    negation=r"ei|en|et|emme|ette|eivät|eikä|enkä|emmekä|älä|älkää",
)
