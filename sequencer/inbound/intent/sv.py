"""Swedish cues for reply intent (see :class:`~sequencer.inbound.intent.lexicon.Lexicon`)."""

from __future__ import annotations

from sequencer.inbound.intent.lexicon import Lexicon

_DAY = r"(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en)?"
#: Not said of someone else ("hon är ledig till efter helgerna" points to a colleague who is away).
_NOT_THEIRS = r"(?<!h[ao]n\sär\s)(?<!är\sh[ao]n\s)"

LEXICON = Lexicon(
    language="sv",
    unsubscribe=(
        r"avregistrera|avsluta\s+prenumeration|ta\s+bort\s+(?:mig|oss|min\s+adress|mina\s+"
        r"uppgifter)",
        r"sluta\s+(?:skicka|mejla|maila|kontakta)|(?:kontakta|mejla|maila)\s+(?:mig|oss)\s+inte",
        r"vill\s+inte\s+(?:få|ha)\s+(?:fler|mer|några)",
        r"(?:stryk|radera)\s+(?:mig|oss|mina)|skräppost|spam\b|sluta\s+höra\s+av",
    ),
    absence=(
        r"(?:jag\s+är|är\s+jag)\s+(?:\S+\s+){0,2}?(?:på\s+semester|\w*ledig|sjukskriven|borta|"
        r"frånvarande|bortrest|på\s+resande\s+fot|på\s+(?:tjänsteresa|mässa|konferens|"
        r"utbildning|julledighet))\b",
        r"frånvarande\b|semester\s+(?:till|t\.?o\.?m\.?)",
        # back on a day: "tillbaka på kontoret måndag 4/1", "åter i tjänst den 7 januari"
        rf"{_NOT_THEIRS}(?:åter|tillbaka)\s+(?:(?:på\s+(?:kontoret|jobbet|arbetet)|i\s+tjänst)\s+)?"
        rf"(?:(?:den|på|från|efter|i|vecka|v\.)\s+|{_DAY}\s+)*\d|(?:åter|tillbaka)\s+(?:på\s+"
        rf"(?:kontoret|jobbet|arbetet)|i\s+tjänst)\s+(?:(?:den|på|från|efter|i|vecka)\b|{_DAY})",
        r"automatiskt\s+(?:svar|meddelande|genererat|skickat)\b",
        rf"{_NOT_THEIRS}(?:semester|\w*ledig)\s+(?:till|t\.?o\.?m\.?|från|under|över)\b|"
        r"läser\s+inte\s+(?:min\s+)?(?:e-?post|mejl)|begränsad\s+tillgång\s+till|"
        r"läser\s+(?:\S+\s+){0,2}?(?:e-?post|mejl|mail)\s+(?:\S+\s+)?(?:sporadiskt|sällan|"
        r"oregelbundet)\b",
        # a mailbox no one reads: "Denna e-postadress används inte längre", "brevlådan bevakas inte"
        r"(?:(?:e-?post)?adress(?:en)?|brevlådan?|inkorgen|(?:e-?post|mejl)lådan?)\s+(?:\S+\s+)?"
        r"(?:används|bevakas|läses|övervakas|kontrolleras)\s+(?:inte|ej)\b",
    ),
    referral=(
        r"kontakta\s+(?!mig\b|oss\b|igen\b)|ta\s+kontakt\s+med\s+(?!mig\b|oss\b)|hör\s+av\s+(?:dig|er)\s+till\s+(?!mig\b|oss\b)",
        r"(?:min|vår)\s+kollega|kollegan?\b|rätt\s+person|ansvarar\s+för|"
        r"vidarebefordra|skickat\s+vidare|skickar\s+vidare",
        r"vänd\s+(?:dig|er)\s+till|prata\s+med\s+(?!mig\b|oss\b)|(?:är|blir)\s+ansvarig|"
        r"bättre\s+person|hanterar\s+(?:sådant|detta|det\s+här|inköp)",
    ),
    referral_weak=(r"adress\b|e-?post\b",),
    refusal=(
        r"inte\s+(?:\S+\s+){0,2}?intresse|inget\s+intresse|nej\s+tack|inget\s+behov|"
        r"inte\s+(?:\S+\s+)?aktuellt|har\s+redan|inte\s+just\s+nu|inte\s+nu\b|kanske\s+senare|"
        r"hör\s+av\s+(?:dig|er)\s+(?:igen\s+)?(?:i|till|efter)\s+(?:q\d|hösten|våren|nästa)",
        r"^\s*nej\b|inte\s+(?:\S+\s+)?(?:relevant|något\s+för\s+oss|för\s+oss|behov|behöver)|"
        r"har\s+(?:en\s+|ett\s+)?egen|egna\s+system|passar\s+(?:\S+\s+)?inte|tack\s+men\s+nej|"
        r"avstår|nöjda\s+med|klarar\s+oss|behöver\s+inte|inte\s+läge",
    ),
    interest=(
        r"intresse|intressant|gärna|låter\s+(?:bra|intressant|spännande)|ring\s+mig|"
        r"boka\s+(?:ett\s+|en\s+)?(?:möte|samtal|tid|demo)|mer\s+information|skicka\s+(?:mer\s+)?"
        r"info|prislista|pris|vad\s+kostar|demo",
        r"låter\s+(?:\S+\s+)?(?:bra|kul|spännande|intressant|vettigt)|ring\s+(?:mig|oss)|"
        r"kan\s+vi\s+(?:ses|prata|ta|boka|höras)|när\s+passar|passar\s+(?:bra|mig|oss)|offert|"
        r"skicka\s+(?:gärna\s+)?(?:mer|info|offert|material|en)|hör\s+gärna|berätta\s+mer|"
        r"testa|prova",
    ),
    inline=(
        r"(?:svar|svaren|kommentarer|kommentarerna)\s+(?:\S+\s+){0,2}?(?:nedan|inline|i\s+texten|"
        r"i\s+rött|mellan\s+raderna)",
        r"svarar\s+(?:\S+\s+){0,2}?(?:nedan|inline|i\s+texten|mellan\s+raderna|punkt\s+för\s+punkt)",
    ),
    answer_yes=r"ja|javisst|absolut|visst|gärna|jo",
    answer_no=r"nej(?:\s+tack)?|inte\s+(?:alls|direkt|egentligen)|nä|nää|aldrig",
    echo=(r"(?:i|om|för|av)\s+vad|vad|vilke[nt]|verkligen|va|jag|vi|oss|mig",),
    busy=(
        r"jag\s+(?:är|sitter|satt)\s+(?:\S+\s+){0,2}?(?:i|på)\s+(?:ett\s+|mitt\s+)?(?:möte|samtal)\b|"
        r"(?:mötet|mitt\s+möte)\s+(?:\S+\s+)?(?:drar|drog|blir|blev)\s+(?:ut|över|sent)\b",
    ),
    negation=r"inte|ej|ingen|inget|inga|aldrig",
)
