"""Swedish cues for reply intent (see :class:`~sequencer.inbound.intent.lexicon.Lexicon`)."""

from __future__ import annotations

from sequencer.inbound.intent.lexicon import Lexicon

_DAY = r"(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en)?"
#: Not said of someone else ("hon är ledig till efter helgerna" points to a colleague who is away).
_NOT_THEIRS = r"(?<!h[ao]n\sär\s)(?<!är\sh[ao]n\s)"
#: "Not", also in its Finland-Swedish and spoken form ("vi har int behov av sånt").
_INTE = r"(?:inte|int)"

#: The days of the week, and parts of them ("onsdag", "onsdagen", "torsdag eftermiddag").
_DAY = r"(?:måndag|tisdag|onsdag|torsdag|fredag)\w*"
#: Who handles a matter, by role ("vår inköpare", "min chef", "vårt huvudkontor") or by full
#: name ("Petra Almqvist"), after a verb that names them.
_HANDLER = (
    r"(?:(?:vår|vårt|våra|våran|min|mitt)\s+(?:\w*chef|\w*inköpare|\w*ansvarig|vd|kollega|"
    r"\w*avdelning(?:en)?|huvudkontor(?:et)?|ledning(?:en)?)\b|(?-i:[A-ZÅÄÖ][a-zåäöé]+\s+[A-ZÅÄÖ])\w*)"
)

LEXICON = Lexicon(
    language="sv",
    unsubscribe=(
        # asked for, with what to remove or alone ("avregistrera mig", "Avregistrera."), not the
        # link spoken of ("jag var på väg att trycka på avregistrera-länken")
        r"avregistrera\s+(?:mig|oss|min|mitt|mina|vår|våra|adressen|e-?postadressen)\b|"
        r"avregistrerar\s+(?:jag\s+|ni\s+)?(?:mig|oss)\b|"
        r"^\s*(?:avregistrera|avsluta\s+prenumerationen?)\s*[.!]*\s*(?:tack[.!]*\s*)?$|"
        r"(?:vill|önskar|vänligen|kan\s+ni|kan\s+du)\s+(?:\S+\s+){0,2}?avregistreras?\b(?![-\w])|"
        r"avsluta\s+(?:min\s+|vår\s+)?prenumeration",
        r"ta\s+bort\s+(?:mig|oss|min\s+(?:e-?post)?adress|mitt\s+namn|mina\s+(?:person)?uppgifter|"
        r"vår\s+adress)\b(?!\s+(?:från|ur)\s+(?:den\s+här\s+|denna\s+)?(?:tråden|konversationen|"
        r"kopian|cc|mejlkedjan|mötet|inbjudan))",
        # to us, our mail, or nothing more said ("Sluta mejla mig", "Ni måste sluta skicka mejl",
        # "Kan ni sluta ringa?"); not the writer's own chore ("Vi vill sluta ringa runt till
        # lagren", "sluta skicka papper till kunderna")
        r"sluta\s+(?:att\s+)?(?:skicka|mejla|maila|kontakta|spamma|ringa|störa)(?:\s*(?:[.!?,]|$)|"
        r"\s+(?:mig|mej|oss|hit|till\s+(?:mig|mej|oss)|mejl|mail|e-?post|reklam|utskick|erbjudanden|"
        r"nyhetsbrev|sånt|sånthär|sådant|det\s+här|detta|dessa|fler|mer|så\s+här|inbjudningar)\b)|"
        r"(?:kontakta|mejla|maila|ring|skriv\s+till)\s+(?:mig|oss)\s+(?:inte|int|aldrig)\b"
        # not when or where: "ring mig inte före 10", "mejla mig inte på den gamla adressen"
        r"(?!\s+(?:före|efter|innan|förrän|på\s+(?:den|min|mitt|gamla|jobb|teams)|i\s+dag|idag|"
        r"imorgon|i\s+morgon|ännu|nu\b|utan))|"
        r"(?:inte|int|aldrig|ej)\s+(?:att\s+)?(?:kontakta|kontaktar|mejla|mejlar|maila|mailar|ringa|"
        r"ringer|skriva\s+till|skriver\s+till)\s+(?:mig|oss)\s+(?:igen|mer|längre|framöver|"
        r"i\s+framtiden)",
        r"vill\s+(?:inte|int)\s+(?:få|ha)\s+(?:fler|mer|några)|(?:vill|önskar)\s+(?:inte|int|ej)\s+(?:längre\s+)?"
        r"(?:få|ha|ta\s+emot|motta)\s+(?:någon|era|ert|dina|marknadsföring|reklam|utskick|"
        r"nyhetsbrev|mejl|mail|e-?post)|(?:vill|önskar)\s+(?:inte|ej)\s+(?:längre\s+)?bli\s+"
        r"kontaktad|skicka\s+(?:mig\s+|oss\s+)?(?:inga|int(?:e)?\s+(?:några|fler|mer))\s+(?:fler\s+|"
        r"mer\s+)?(?:mejl|mail|e-?post|utskick|uppföljningar|påminnelser|erbjudanden|reklam|"
        r"meddelanden)",
        # struck out, erased, taken out of a register ("stryk min adress", "avför min
        # e-postadress ur ert utskicksregister", "raderar samtliga personuppgifter")
        r"(?:stryk|radera|avför)\s+(?:mig|oss|min|mitt|mina|vår|våra)\b|radera[rs]?\s+"
        r"(?:\S+\s+){0,3}?(?:personuppgifter|uppgifter|(?:e-?post)?adress)|(?:ur|från)\s+(?:ert|er|"
        r"era|din|dina)\s+(?:utskicks|sänd|e-?post|mejl|kund|kontakt|marknadsförings)?"
        r"(?:register|registret|lista|listan|listor|utskick|databas|databasen)\b",
        # called spam, not a spam folder spoken of ("i vårt skräppostfilter", "i skräpposten")
        r"(?<!i\s)skräppost(?![\w-])|spam\b|sluta\s+höra\s+av|artikel\s+17\b|rätten\s+att\s+"
        r"bli\s+(?:glömd|raderad)|"
        r"(?:aldrig|inte)\s+(?:bett\s+om|anmält\s+mig|registrerat\s+mig|samtyckt\s+till|godkänt|"
        r"prenumererat\s+på)\s+(?:det\s+här|detta|dessa|de\s+här|era|ert|er|dina|ditt|din|något|"
        r"några|sådana|sånt)\b",
    ),
    absence=(
        # fler frånvaron: "Jag är sjuk idag", "Jag är på affärsresa till den 4 januari", "Jag
        # är på kurs hela veckan", "Jag har semester"
        r"jag\s+är\s+(?:\S+\s+)?sjuk(?:skriven)?\b|(?:jag\s+är\s+)?på\s+affärsresa\b|jag\s+är\s+"
        r"på\s+kurs\b|jag\s+har\s+(?:\S+\s+)?semester\b",
        # the whole office closed for a while, said with its dates or its holiday: "Kontoret är
        # stängt 23/12–6/1", "julstängt", "vi öppnar igen den 7 januari" (not "Lagret är stängt på
        # fredag, men torsdag passar", "Vi har stängt lagret i Borås")
        r"(?:kontoret|kontor|vi|företaget|butiken|växeln)\s+(?:är|håller|har)\s+(?:\S+\s+){0,2}?"
        r"stängt\s+(?:\S+\s+)?(?:\d|från|mellan|till|t\.?\s?o\.?\s?m|fr\.?\s?o\.?\s?m|över\s+(?:jul|"
        r"helg|nyår)|under\s+(?:jul|helg|semester))|julstängt|stängt\s+(?:för|under|mellan|över)\s+"
        r"(?:\S+\s+)?(?:jul|helg|semester|nyår|\d)|öppnar\s+igen\s+(?:den\s+)?(?:\d|måndag|tisdag|"
        r"onsdag|torsdag|fredag)",
        r"(?:jag\s+är|är\s+jag)\s+(?:\S+\s+){0,2}?(?:på\s+semester|\w*ledig|sjukskriven|borta|"
        r"frånvarande|bortrest|på\s+resande\s+fot|på\s+(?:tjänsteresa|mässa|konferens|"
        r"utbildning|julledighet))\b",
        r"frånvarande\b|semester\s+(?:till|t\.?o\.?m\.?)",
        # back on a day: "tillbaka på kontoret måndag 4/1", "åter i tjänst den 7 januari"
        rf"{_NOT_THEIRS}(?:åter|tillbaka)\s+(?:(?:på\s+(?:kontoret|jobbet|arbetet)|i\s+tjänst)\s+)?"
        rf"(?:(?:den|på|från|efter|i|vecka|v\.)\s+|{_DAY}\s+)*\d|(?:åter|tillbaka)\s+(?:på\s+"
        rf"(?:kontoret|jobbet|arbetet)|i\s+tjänst)\s+(?:(?:den|på|från|efter|i|vecka)\b|{_DAY})",
        r"automatiskt\s+(?:svar|meddelande|genererat|skickat)\b",
        # a help desk's acknowledgement: "Ditt ärende har registrerats", "Detta mejl går inte att
        # svara på", "Svara inte på detta meddelande"
        r"(?:ditt|ert)\s+ärende\s+har\s+(?:registrerats|mottagits|tagits\s+emot)|(?:detta|det\s+här)\s+"
        r"(?:e-?post|mejl|mail|meddelande)\w*\s+går\s+(?:inte|ej)\s+att\s+(?:svara\s+på|besvara)|"
        r"svara\s+(?:inte|ej)\s+på\s+(?:detta|det\s+här)\s+(?:\S+\s+)?(?:e-?post|mejl|mail|"
        r"meddelande)",
        rf"{_NOT_THEIRS}(?:semester|(?<!\w)\w*ledig)\s+(?:till|t\.?o\.?m\.?|från|under|över)\b|"
        r"läser\s+inte\s+(?:min\s+)?(?:e-?post|mejl)|begränsad\s+tillgång\s+till|"
        r"läser\s+(?:\S+\s+){0,2}?(?:e-?post|mejl|mail)\s+(?:\S+\s+)?(?:sporadiskt|sällan|"
        r"oregelbundet)\b",
        # a mailbox no one reads: "Denna e-postadress används inte längre", "brevlådan bevakas inte"
        r"(?:(?:e-?post)?adress(?:en)?|brevlådan?|inkorgen|(?:e-?post|mejl)lådan?)\s+(?:\S+\s+)?"
        r"(?:används|bevakas|läses|övervakas|kontrolleras)\s+(?:inte|ej)\b",
    ),
    referral=(
        # (also "Hör gärna av dig direkt till henne")
        r"kontakta\s+(?!mig\b|oss\b|igen\b)|ta\s+kontakt\s+med\s+(?!mig\b|oss\b)|hör\s+(?:gärna\s+|"
        r"bara\s+)?av\s+(?:dig|er)\s+(?:\S+\s+){0,2}?till\s+(?!mig\b|oss\b)",
        r"(?:min|vår)\s+kollega|kollegan?\b|rätt\s+person|ansvarar\s+för|vidarebefordr|"
        r"skicka(?:t|r|de)?\s+(?:\S+\s+){0,2}?vidare",
        r"vänd\s+(?:dig|er)\s+till|prata\s+med\s+(?!mig\b|oss\b)|(?:du|ni)\s+pratar\s+med\s+(?!mig\b|oss\b)|(?:är|blir)\s+ansvarig|"
        r"bättre\s+person|hanterar\s+(?:sådant|detta|det\s+här|inköp)",
        # where such a question goes: "Din förfrågan bör gå till VD Maria Dalhem", "Frågor om system
        # går via vår IT-chef"
        r"(?:förfrågan|frågan|frågor|mejlet|mailet|ärendet|ärenden|sådant|sånt|detta|det\s+här)\s+"
        r"(?:[^\s.,;:!?]+\s+){0,2}?(?:(?:bör|borde|ska|skall|måste)\s+)?(?:gå|går|skickas|riktas|"
        r"ställas)\s+(?:till|via)\s+(?:(?:vår|vårt|våra|min|mitt|mina|er|ert|era)\s+)?(?:[\w-]*chef\w*|"
        r"vd|[\w-]*ansvarig\w*|inköpare\w*|kollega\w*)\b",
        # the one who decides, named: "det är min chef Eva som sköter alla inköp", "det är han
        # som har hand om emballage" (not "det är inte jag som...", nor "vem som sköter")
        r"det\s+är\s+(?!inte\b|int\b|jag\b|vi\b)(?:\S+\s+){1,5}?som\s+(?:sköter|har\s+hand\s+om|"
        r"ansvarar|bestämmer|beslutar|tar\s+(?:\S+\s+)?beslut|hanterar|köper\s+in)|(?:min|vår)\s+"
        r"(?:\w*chef|inköpare|vd)\s+(?:\S+\s+){0,3}?(?:som\s+)?(?:bestämmer|beslutar|sköter|"
        r"ansvarar|har\s+hand)",
        # written to instead: "skriv till henne", "maila Peter istället", "ta det med henne", "den
        # du ska prata med är..."
        r"(?:skriv|mejla|maila|ring|prata|tala)\s+(?:till\s+|med\s+)?(?:henne|honom)\b|ta\s+(?:det|"
        r"detta|frågan)\s+med\s+(?:henne|honom)\b|(?:maila|mejla|ring|skriv\s+till|fråga|prata\s+"
        r"med)\s+(?!mig\b|oss\b)(?:\S+\s+){1,3}?(?:istället|i\s+stället)\b|den\s+(?:du|ni)\s+(?:ska|"
        r"bör|borde|kan|vill|behöver)\s+(?:prata|tala)\s+med",
        # the handler named after the verb, the object first ("Sånt här sköter vår inköpare
        # Petra", "Det bestämmer min chef"), or in the passive ("min tjänst tas över av Sara
        # Lind", "inköpen sköts av vårt huvudkontor"); not "vi sköter vår pallhantering själva"
        rf"(?:sköter|hanterar|bestämmer|beslutar\s+om|köper\s+in)\s+{_HANDLER}|"
        rf"(?:tas|togs|har\s+tagits)\s+över\s+(?:\S+\s+)?av\s+{_HANDLER}|(?:sköts|hanteras|"
        rf"beslutas|bestäms)\s+(?:(?:numera|nu|centralt|helt)\s+)?av\s+{_HANDLER}",
    ),
    #: "kolla vad de har för referenser innan vi svarar något" (to a colleague, of us)
    aside=(r"innan\s+vi\s+svarar(?:\s+(?:något|dem|honom|henne))?\s*[.!]",),
    received=(
        # who passed it on may open it ("Min kollega skickade ditt mejl vidare till mig"): that
        # colleague is no one we are sent to
        r"(?:(?:min|vår)\s+kollega\s+(?:\S+\s+)?)?(?:skickade|skickat|skickas|vidarebefordrade|"
        r"vidarebefordrat|fick|har\s+fått)\s+(?:\S+\s+){0,4}?(?:vidare\s+)?till\s+(?:mig|oss)\b",
    ),
    referral_weak=(
        r"adress\b|e-?post\b",
        r"fel\s+(?:person|mottagare|kontakt)|inte\s+jag\s+som\s+(?:ansvarar|sköter|bestämmer|har\s+"
        r"hand)|bestämmer\s+(?:inte|int|ej)\s+jag|inte\s+(?:mitt|mina)\s+(?:område|bord|ansvar)",
    ),
    refusal=(
        rf"{_INTE}\s+(?:\S+\s+){{0,2}}?intresse|inget\s+intresse|n(?:ej|ä)\s+tack|inge[tn]?\s+behov|"
        rf"{_INTE}\s+(?:\S+\s+)?aktuellt|har\s+redan|{_INTE}\s+just\s+nu|{_INTE}\s+nu\b|"
        r"kanske\s+senare|hör\s+(?:gärna\s+|bara\s+)?av\s+(?:dig|er)\s+(?:igen\s+)?(?:i|till|efter)\s+"
        r"(?:q\d|hösten|våren|sommaren|vintern|nyår|årsskiftet|semestern|nästa)",
        rf"^\s*nej\b|{_INTE}\s+(?:\S+\s+)?(?:relevant|något\s+för\s+oss|för\s+oss|behov|behöver)|"
        rf"har\s+(?:en\s+|ett\s+)?egen|egna\s+system|passar\s+(?:\S+\s+)?{_INTE}\b|tack\s+men\s+"
        rf"nej|avstår|nöjda\s+med|klarar\s+oss|behöver\s+{_INTE}\b|{_INTE}\s+läge|lönar\s+sig\s+"
        rf"{_INTE}\b",
        # no room or money, a no said in so many words, maybe next year
        r"(?:inget|inga|ingen)\s+(?:\S+\s+)?(?:utrymme|budget|pengar|resurser|kapacitet)\b|"
        r"kanske\s+(?:nästa\s+år|till\s+(?:våren|hösten|sommaren)|längre\s+fram|efter\s+(?:nyår|"
        r"jul|sommaren))|(?:blir|är)\s+(?:det\s+)?(?:ett\s+)?nej\b|nej\s+från\s+(?:vår|min)\s+sida|"
        r"tackar?\s+nej|avböj",
        # nothing we need, happy as we are, using one already
        r"(?:inget|ingenting)\s+(?:som\s+)?(?:vi|jag)\s+(?:\S+\s+){0,2}?(?:behöver|behov|är\s+"
        r"intresserade?|vill\s+ha|köper)|inget\s+för\s+(?:oss|mig)|ej\s+intresse|(?:vi\s+är|är\s+vi)\s+"
        rf"(?:\S+\s+)?nöjda\b|{_INTE}\s+(?:i\s+år|i\s+nuläget|för\s+tillfället|i\s+dagsläget)|"
        r"kommer\s+(?:inte|int|ej)\s+(?:att\s+)?(?:köpa|byta|investera|gå\s+vidare)|(?:använder|"
        r"kör)\s+(?:\S+\s+)?redan",
    ),
    interest=(
        # (not "jag vill gärna veta var ni fick tag på min adress": a question about us; nor "vi
        # skulle gärna hyra ut ytan": the writer's own business for sale or to let)
        r"intresse|intressant|gärna(?!\s+veta\s*,?\s+(?:var|varifrån|vem|varför)\b)"
        r"(?!(?:\s+[^\s.,;:!?]+){0,3}?\s+(?:hyra\s+ut|sälja|bli\s+av\s+med)\b)"
        # (nor an invoice's details: "Skicka gärna fakturanummer och referens")
        r"(?!\s+(?:\S+\s+)?(?:faktur|kvitt|leverantörsn|organisationsn)\w*)|låter\s+(?:bra|"
        r"intressant|spännande)|ring\s+(?:mig|mej)|"
        # "det här kunde nog vara nåt för oss" (Finland-Swedish)
        r"(?:kunde|kan|skulle)\s+(?:(?:nog|kanske|faktiskt|absolut)\s+)?vara\s+(?:något|nåt|"
        r"någonting)\s+för\s+(?:oss|mig)\b|"
        r"boka[rs]?\s+(?:vi\s+|in\s+)?(?:ett\s+|en\s+)?(?:\S+\s+)?(?:möte|samtal|tid|demo|"
        r"genomgång)|mer\s+information|skicka\s+(?:mer\s+)?info|prislista|pris|vad\s+kostar|demo",
        r"låter\s+(?:\S+\s+)?(?:bra|kul|spännande|intressant|vettigt)|ringa?\s+(?:mig|mej|oss)|"
        r"kan\s+vi\s+(?:ses|prata|ta|boka|höras)|när\s+passar|passar\s+(?:bra|mig|oss|bäst|fint|"
        r"utmärkt)|offert|skicka\s+(?:gärna\s+)?(?:mer|info|offert|material|en)|hör\s+gärna|"
        r"berätta\s+mer|testa|prova|referenser\b",
        # a call taken, a time asked about: "ta ett kort samtal", "så tar vi ett samtal i januari",
        # "Passar det nästa vecka?", "onsdag funkar bra", "skicka en Teams-inbjudan"
        r"ta[rs]?\s+(?:vi\s+)?(?:ett|en)\s+(?:\S+\s+)?(?:samtal|snack|möte|telefonmöte|genomgång|"
        r"demo)\b|passar\s+det\s+(?!inte\b|dåligt\b|illa\b)|funkar\s+(?:bra|fint|utmärkt|för\s+"
        r"(?:mig|oss))|(?:teams|zoom|kalender|mötes)-?inbjudan",
        # another day offered: "Går onsdag kl 14?", "vad sägs om torsdag", "fredag passar bättre"
        rf"(?:går|funkar|passar|fungerar|vad\s+sägs\s+om|hur\s+ser\s+(?:det\s+)?ut\s+(?:på|med))\s+"
        rf"(?:det\s+)?(?:(?:på|i|nu\s+på)\s+)?(?:{_DAY}|nästa\s+vecka|i\s+morgon|imorgon)"
        # (not declined: "Går onsdag inte heller")
        r"(?!\s+(?:\S+\s+)?(?:inte|int|tyvärr|dåligt|sämre))|"
        rf"(?:{_DAY})\s+(?:\S+\s+)?(?:passar|går|funkar)\s+(?:bättre|bra|fint|utmärkt|för\s+mig)",
        # a time that would suit, more to hear: "torsdag eftermiddag skulle passa bra", "det
        # kunde vara skäl att höra mera" (Finland-Swedish), "vi vill höra mer"
        r"(?:skulle|kunde|kan|ska)\s+(?:(?:nog|också|även|absolut)\s+)?(?:passa|funka|fungera)\s+"
        r"(?:(?:mig|oss)\s+)?(?:bra|fint|utmärkt|för\s+(?:mig|oss))|höra\s+mer(?:a)?\b|vara\s+"
        r"(?:värt|skäl)\s+att\s+(?:höra|titta|prata|kolla|testa|ses)",
    ),
    inline=(
        r"(?:svar|svaren|kommentarer|kommentarerna)\s+(?:\S+\s+){0,2}?(?:nedan|inline|i\s+texten|"
        r"i\s+rött|mellan\s+raderna)",
        r"svarar\s+(?:\S+\s+){0,2}?(?:nedan|inline|i\s+texten|mellan\s+raderna|punkt\s+för\s+punkt)",
    ),
    answer_yes=r"ja|javisst|absolut|visst|gärna|jo|självklart|definitivt|verkligen|ja\s+tack",
    answer_no=r"nej(?:\s+tack)?|inte\s+(?:alls|direkt|egentligen)|nä|nää|aldrig",
    echo=(
        r"(?:i|om|för|av)\s+vad|vad|vilke[nt]|verkligen|va|då|egentligen|exakt|menar\s+(?:du|ni)|"
        r"jag|vi|oss|mig",
    ),
    busy=(
        r"jag\s+(?:är|sitter|satt)\s+(?:(?:fortfarande|just|nu|redan|fast|upptagen|kvar)\s+){0,2}?"
        r"(?:i|på)\s+(?:ett\s+|mitt\s+)?(?:möte|samtal)\b|"
        r"(?:mötet|mitt\s+möte)\s+(?:\S+\s+)?(?:drar|drog|blir|blev)\s+(?:ut|över|sent)\b",
    ),
    deferral=(
        # "Jag sparar gärna dina kontaktuppgifter ifall läget skulle ändras", "om behovet uppstår"
        # (not "berätta om hur processen förändras": a situation, named, changes)
        r"(?:om|ifall|när)\s+(?:något|det|detta|läget|situationen|behovet|behoven|förutsättningarna|"
        r"planerna)\s+(?:\S+\s+)?(?:ändras|förändras|ändrar\s+sig)\b|(?:om|ifall|"
        r"när)\s+(?:\S+\s+)?behov(?:et)?\s+(?:\S+\s+)?(?:uppstår|uppkommer|dyker\s+upp)",
    ),
    spam_place=(
        r"(?:i|till|från|bland)\s+(?:(?:min|mitt|mina|vår|vårt|er|ert)\s+)?"
        r"(?:spam|skräppost)\w*|(?:spam|skräppost)-?(?:mapp|filt|korg|låd)\w*",
    ),
    standing=(
        r"brådsk|akut|vid\s+behov|begränsad|när\s+jag\s+(?:är\s+)?tillbaka|återkommer|under\s+min\s+"
        r"frånvaro|ersättare|automatiskt|autosvar|du\s+(?:kan\s+)?nå[rs]?\s+mig",
    ),
    negation=r"inte|int|ej|ingen|inget|inga|aldrig",
)
