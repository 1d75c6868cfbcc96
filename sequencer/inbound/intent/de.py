"""German cues for reply intent (see :class:`~sequencer.inbound.intent.lexicon.Lexicon`)."""

from __future__ import annotations

from sequencer.inbound.intent.lexicon import Lexicon

#: "Not" in Austrian, Bavarian and Swiss German ("brauch ma ned", "mir bruuched das nöd").
_NOT = r"(?:ned|net|nöd|nid|nit)"

#: The days of the week, and parts of them ("Dienstag", "Dienstagvormittag").
_DAY = r"(?:montag|dienstag|mittwoch|donnerstag|freitag)\w*"

LEXICON = Lexicon(
    language="de",
    unsubscribe=(
        # abmelden, austragen, abbestellen asked for (not "wollte mich schon abmelden")
        r"(?:bitte|möchte|möchten|will|wollen|würde|würden|werde|wie\s+kann|können\s+sie|"
        r"könnten\s+sie)\s+(?:[^\s.,;:!?]+\s+){0,5}?(?:abmelden|austragen|abbestellen)\b|"
        # alone on its line or as a sentence ("Austragen, sofort.")
        r"(?:^|(?<=[.!?]\s))\s*(?:bitte\s+)?(?:abmelden|austragen|abbestellen)(?:\s*,?\s*(?:bitte|"
        r"sofort|umgehend|danke))*\s*(?:[.!]+|$)|"
        r"(?:melden|tragen)\s+sie\s+(?:mich|uns)\s+(?:(?:bitte|doch|sofort|umgehend|endlich|hier)"
        r"\s+)*(?:ab|aus)\b(?!\s+(?:dem|der|den|\d))|(?:bitte\s+um|um\s+die)\s+abmeldung\b",
        r"entfernen\s+sie\s+(?:mich|uns|meine)|(?<!lese\s)(?<!lesen\s)(?<!lese\sich\s)(?<!abrufen\s)"
        r"(?:keine|ka|kei)\s+(?:weiteren\s+)?(?:e-?mails|mails|"
        r"nachrichten|"
        r"werbung|werbe-?(?:e-?)?mails|newsletter|zusendungen)",
        # a call refused outright: "Rufen Sie mich nicht an.", "Rufen Sie mich bitte nie wieder an."
        # (not "rufen Sie mich nicht vor 10 an")
        r"rufen\s+sie\s+(?:mich|uns)\s+(?:bitte\s+)?(?:nicht|nie|niemals)(?:\s+(?:mehr|wieder))?\s+an\b|"
        r"nicht\s+mehr\s+(?:zu\s+)?(?:kontaktieren|anschreiben|anzuschreiben|schreiben|anrufen|"
        r"anzurufen|mailen|belästigen)|(?:löschen|streichen)\s+sie\s+(?:mich|meine|uns)|"
        # "schreibts ma nimma" (Austrian), "kontaktiered Sie mi nüme" (Swiss)
        r"(?:(?:kontaktieren|schreiben|mailen|rufen|belästigen)\s+sie|schreibt|schreibts|mailt|"
        r"mailts|kontaktiert|kontaktierts)\s+(?:mich|mir|uns|ma|mi)\s+(?:[^\s.,;:!?]+\s+){0,2}?"
        r"(?:nicht\s+mehr|nimmer|nimma|nüme|nümme)\b",
        r"(?:nehmen\s+sie|nehmt|nehmts)\s+(?:mich|uns|mi)\s+(?:\S+\s+){0,2}?(?:aus|von)|(?:aus|von)\s+"
        r"(?:ihrem|ihren|dem|den|ihrer|eurem|euren|eurer)\s+(?:e-?mail-?|mail-?|werbe-?)?(?:verteiler|liste|"
        r"newsletter|verteilerliste|mailingliste)|(?:aus|von)\s+\S+\s+(?:e-?mail-?|mail-?|werbe-?)?"
        r"(?:verteiler|verteilerliste|mailingliste)\b|keine\s+(?:\S+\s+)?mehr\s+(?:schicken|senden|zusenden)|"
        r"hören\s+sie\s+(?:\S+\s+){0,2}?auf\b|(?:hört|hörts|hör)\s+(?:(?:endlich|bitte|doch|sofort|"
        r"jetzt|einfach)\s+)*auf\s+(?:(?:mich|uns|mir|damit)\b|mit\b|zu\s)|(?:zu|voll)(?:zu|ge)?spamm|"
        r"spam\b|widerspreche\b|widersprech\w*\s+(?:\S+\s+){0,4}?"
        r"(?:verarbeitung|nutzung|speicherung|werbung)|widerspruch\s+gegen",
        # never agreed, and the erasure the GDPR gives ("Löschung meiner Daten", "Art. 17 DSGVO")
        r"(?:nie|niemals)\s+(?:\S+\s+)?(?:eingewilligt|zugestimmt|angemeldet|eingetragen|abonniert|"
        r"darum\s+gebeten)|lassen\s+sie\s+(?:mich|uns)\s+(?:\S+\s+)?in\s+ruhe",
        r"löschung\s+(?:\S+\s+){0,4}?(?:daten|adresse|e-?mail-?adresse|kontaktdaten|dsgvo)\b|"
        r"(?:dsgvo|art\.\s*17)[\s-]+(?:\S+\s+){0,2}?löschung|(?:meine|unsere)\s+(?:\S+\s+){0,2}?"
        r"(?:daten|adresse|kontaktdaten)\s+(?:\S+\s+){0,2}?(?:löschen|zu\s+löschen)|"
        r"art(?:\.|ikel)\s*17\b|recht\s+auf\s+(?:löschung|vergessenwerden)",
    ),
    absence=(
        # more notices: "Ich befinde mich im Urlaub", "Zurzeit bin ich im Urlaub", "Bin bis 4.1.
        # im Urlaub", "Ich bin vom 21. Dezember bis zum 4. Januar im Urlaub"
        r"(?:ich\s+)?befinde\s+mich\s+(?:\S+\s+){0,3}?(?:im\s+urlaub|in\s+(?:elternzeit|der\s+"
        r"weihnachtspause)|auf\s+(?:dienstreise|geschäftsreise|einer\s+messe))|(?:zurzeit|derzeit|"
        r"momentan|aktuell|gerade)\s+bin\s+ich\s+(?:\S+\s+){0,2}?(?:im\s+urlaub|auf\s+(?:dienstreise|"
        r"geschäftsreise|einer\s+messe)|nicht\s+im\s+büro|krank)|^\s*bin\s+(?:\S+\s+){0,4}?im\s+"
        r"urlaub|ich\s+bin\s+(?:\S+\s+){0,8}?im\s+urlaub|ich\s+bin\s+in\s+der\s+weihnachtspause|bin\s+"
        r"ich\s+(?:\S+\s+){0,3}?im\s+urlaub",
        # the whole office closed for a while, said with its dates or its holiday: "Unser Büro
        # ist vom 23.12. bis 6.1. geschlossen", "Wir befinden uns in der Weihnachtspause" (not
        # "Das Büro ist am Freitag geschlossen, aber Donnerstag passt", "Wir haben das Lager in
        # Köln geschlossen", "Nach der Weihnachtspause gerne")
        r"(?:büro|unternehmen|firma|betrieb|geschäft|praxis|wir)\s+(?:ist|sind|bleibt|bleiben|"
        r"haben|hat)\s+"
        r"(?:über\s+(?:weihnachten|die\s+feiertage)|zwischen|vom|von|ab|bis)\s+(?:\S+\s+){0,4}?"
        r"geschlossen\b|(?:sind|befinden\s+uns)\s+(?:\S+\s+)?in\s+der\s+(?:weihnachts|betriebs)"
        r"(?:pause|ruhe)|(?:weihnachts|betriebs)(?:pause|ruhe)\s+(?:vom|von|bis|ab)\b",
        r"ich\s+bin\s+(?:\S+\s+){0,4}?(?:nicht\s+im\s+büro|abwesend|im\s+urlaub|in\s+elternzeit|"
        r"außer\s+haus|unterwegs|krank|in\s+(?:den\s+)?\w*ferien|in\s+karenz|im\s+mutterschutz|"
        r"auf\s+(?:dienst|geschäfts)reise)",
        r"nicht\s+im\s+büro|abwesenheit|außer\s+haus|wieder\s+(?:im\s+büro|erreichbar|da)\b",
        r"automatische\s+antwort|automatisch\s+(?:erstellt|generiert|erzeugt|versendet|verschickt)|"
        r"automatisch\s+(?:generierte|erstellte|erzeugte|versandte)\s+(?:nachricht|e-?mail|mail|"
        r"antwort)",
        # a help desk's acknowledgement: "unter der Ticketnummer ... erfasst", "Bitte antworten Sie
        # nicht auf diese automatisch generierte E-Mail"
        r"unter\s+der\s+(?:ticket|vorgangs|referenz)-?nummer\b|antworten\s+sie\s+(?:bitte\s+)?nicht\s+"
        r"auf\s+diese\s+(?:\S+\s+){0,2}?(?:e-?mail|nachricht|mail)\b",
        r"urlaub\s+(?:bis|vom|ab)|elternzeit|mutterschutz|karenz\b|betriebsferien|betriebsurlaub|"
        r"nicht\s+erreichbar|ab\s+(?:dem\s+)?\d+\S*\s+wieder|(?:keinen|eingeschränkten)\s+zugriff\s+"
        r"auf\s+(?:meine\s+)?e-?mails|lese\s+(?:meine\s+)?(?:e-?mails|mails|nachrichten)\s+"
        r"(?:\S+\s+){0,2}?(?:sporadisch|unregelmäßig|selten)\b",
        # a mailbox no one reads: "Dieses Postfach wird nicht mehr überwacht"
        r"(?:postfach|e-?mail-?adresse|adresse|mailbox|e-?mail-?konto)\s+wird\s+(?:\S+\s+)?nicht\s+"
        r"(?:mehr\s+)?(?:überwacht|gelesen|abgerufen|genutzt|bearbeitet|betreut)\b|(?:postfach|"
        r"e-?mail-?adresse|adresse|mailbox|e-?mail-?konto)\s+ist\s+nicht\s+mehr\s+(?:aktiv|in\s+"
        r"(?:betrieb|benutzung|gebrauch))\b|ihre\s+(?:nachricht|e-?mail|mail)\s+wird\s+nicht\s+"
        r"weitergeleitet\b",
    ),
    referral=(
        r"wenden\s+sie\s+sich\s+(?:[^\s.,;:!?]+\s+){0,3}?an\b(?!\s+(?:mich|uns)\b)|wende\s+dich\s+"
        r"(?:\S+\s+){0,2}?an\b|ihr(?:e|en)?\s+kolleg|ansprechpartner|weitergeleitet|weitergegeben|"
        r"leite\s+(?:das|ihre)|kontaktieren\s+sie\s+(?!mich\b|uns\b)",
        r"(?:richtige|bessere)\s+(?:person|ansprechpartner)|(?:sprechen|reden)\s+sie\s+(?:bitte\s+)?"
        r"mit\s+(?!mir\b|uns\b)|leite\s+(?:\S+\s+)?weiter|gebe\s+(?:\S+\s+){0,3}?weiter\b",
        # who is in charge, said ("dafür ist Frau Keller zuständig", "Zuständig ist Herr Berger",
        # "den zuständigen Kollegen"; not "wer dafür zuständig ist, weiß ich nicht")
        r"(?<!wer\s)(?:ist|sind|wäre|wären)\s+(?:[^\s.,;:!?]+\s+){0,10}?zuständig|zuständig\s+"
        r"(?:[^\s.,;:!?]+\s+){0,8}?(?:ist|sind|wäre)\b(?=\s+(?:bei\s+uns\s+|hier\s+)?(?:(?:der|die|"
        r"das|unser|unsere)\s+)?(?-i:[A-ZÄÖÜ]))|"
        r"zuständige[nr]?\s+(?:kolleg|ansprechpartner|person|abteilung|stelle|mitarbeiter)",
        # the one who decides, written to: "sowas entscheidet mein Chef", "Schreiben Sie bitte
        # Petra Lang aus dem Einkauf an"
        r"(?:entscheidet|entscheiden)\s+(?:bei\s+uns\s+|hier\s+)?(?:mein|meine|unser|unsere|der|die|"
        r"herr|frau)\s+\w+|schreiben\s+sie\s+(?!mir\b|mich\b|uns\b)(?:[^\s.,;:!?]+\s+){1,6}?an\b",
        # who does it here, named; rung or written to instead: "des macht bei uns da Franz Leitner",
        # "rufen Sie ihn direkt an", "Bitte richten Sie Ihre Anfrage an ihn"
        r"(?:macht|machen|übernimmt|betreut|erledigt|regelt)\s+(?:das\s+|des\s+)?(?:bei\s+uns|hier)\s+"
        r"(?:(?:mein|meine|unser|unsere|herr|frau)\s+|(?:der|die|da)\s+(?:herr\s+|frau\s+|kolleg\w*\s+|"
        r"(?-i:[A-ZÄÖÜ]\w+\s+)))(?-i:[A-ZÄÖÜ])|(?:(?:rufen\s+sie|ruf|"
        r"rufst|rufts)\s+(?:du\s+)?(?:ihn|eam|ihm)|rufen\s+sie\s+sie)\s+(?:[^\s.,;:!?]+\s+){0,3}?an\b|"
        r"richten\s+sie\s+(?:[^\s.,;:!?]+\s+){0,3}?an\s+(?!mich\b|uns\b)",
    ),
    received=(
        # who passed it on may open it ("mein Kollege hat mir Ihre Mail weitergeleitet", "meine
        # Kollegin Petra hat Ihre Nachricht an mich weitergegeben"): no one we are sent to
        r"(?:mein(?:e|en|em)?\s+kolleg\w*\s+(?:[^\s.,;:!?]+\s+){0,2}?)?(?:(?:hat|haben|hatte|wurde|"
        r"wurden|ist)\s+(?:mir|uns)\s+(?:(?!an\b)[^\s.,;:!?]+\s+){0,4}?(?:weitergeleitet|"
        r"weitergegeben|zugeleitet|geschickt)|(?:hat|hatte)\s+(?:(?!an\b)[^\s.,;:!?]+\s+){0,4}?"
        r"an\s+(?:mich|uns)\s+(?:weitergeleitet|weitergegeben|zugeleitet|geschickt))|"
        r"(?:an\s+mich|an\s+uns|mir|uns)\s+(?:weitergeleitet|weitergegeben|zugeleitet)",
    ),
    referral_beside=(r"mein(?:e|en|em)?\s+kolleg|in\s+kopie|cc\b",),
    referral_weak=(r"adresse\b|e-?mail\b", r"zuständig|falsche?[nr]?\b"),
    refusal=(
        r"(?:kein(?:en)?|kei|ka)\s+(?:interesse|bedarf)|nicht\s+(?:\S+\s+)?interessiert|nein\s+danke|"
        r"derzeit\s+nicht|momentan\s+nicht|aktuell\s+nicht|haben\s+bereits|nicht\s+relevant",
        r"kein\s+thema|kein(?:en)?\s+(?:budget|kaufinteresse|mehrwert)|passt\s+(?:\S+\s+){0,2}?nicht|"
        # "brauch ma ned", "händ scho es System" (Austrian, Swiss)
        # "brauchen wir da wirklich nicht"
        rf"brauch(?:en|t|e)?\s+(?:\S+\s+){{0,2}}?(?:[^\s.,;:!?]+\s+)?(?:nicht|kein|{_NOT}\b)|(?:nicht|kein)\s+(?:\S+\s+)?"
        r"(?:nötig|notwendig|benötigt|bedarf)|leider\s+(?:nicht|nein|kein)|^\s*nein\b|(?:haben|"
        r"händ|hend|hamma|hom)\s+(?:wir\s+|mir\s+)?(?:schon|scho|bereits|eine\s+eigene|ein\s+eigenes)|(?:sind|bin)\s+(?:[^\s.,;:!?]+\s+){0,8}?(?<!nicht\s)(?<!nie\s)(?<!kaum\s)zufrieden|vielleicht\s+"
        r"(?:später|nächstes\s+jahr)|nächstes\s+jahr\s+wieder|verzichten|"
        # a call or word asked for later, a season or months on: "Rufen Sie mich im Herbst wieder
        # an" (not "Wir haben im Frühjahr wieder Budget")
        r"(?:rufen\s+sie\s+(?:mich|uns)|melden\s+sie\s+sich|kontaktieren\s+sie\s+(?:mich|uns))\s+"
        r"(?:\S+\s+){0,2}?(?:(?:im\s+)?(?:herbst|frühjahr|frühling|sommer|winter)|in\s+(?:ein\s+"
        r"paar|einigen|zwei|drei|sechs)\s+monaten)\s+wieder\b",
        # a no said so, no time or means, solved already
        r"(?:müssen|muss)\s+(?:\S+\s+){0,3}?absagen|lehnen\s+(?:\S+\s+)?ab\b(?!\s+(?:dem|der|\d))|"
        r"weder\s+(?:\S+\s+)?(?:budget|zeit|kapazität)|nicht\s+weiter\s+verfolgen|keine?\s+"
        r"(?:zeit|kapazität(?:en)?|ressourcen)\s+(?:für|dafür)|(?:intern|selbst|schon|bereits)\s+"
        r"gelöst|nicht\s+in\s+frage|nicht\s+infrage|nein,\s*danke|danke,?\s+(?:aber\s+)?(?:kein|"
        r"nein)\b|(?:arbeiten|sind)\s+(?:bereits|schon)\s+mit",
        # "sehen keinen Anlass für einen Wechsel", "kein Grund zu wechseln"
        r"kein(?:en)?\s+(?:anlass|grund)\s+(?:für|zu|zum)\s+(?:einen\s+)?(?:wechsel|wechseln|"
        r"umstieg|umsteigen)",
        # "planen keinen Wechsel", "ein Wechsel ist nicht geplant"
        r"(?:planen|plant|ist|steht)\s+(?:\S+\s+){0,2}?kein(?:en)?\s+(?:anbieter)?wechsel|wechsel\s+"
        r"(?:ist|steht)\s+(?:\S+\s+){0,3}?(?:nicht\s+(?:geplant|vorgesehen|angedacht|sinnvoll)|"
        r"kein\s+thema)\b",
        # no change for years: "werden in den nächsten zwei Jahren sicher nicht wechseln"
        r"(?:werden|wollen|möchten|wechseln)\s+(?:\S+\s+){0,6}?(?:nicht|kaum|keinesfalls)\s+"
        r"(?:wechseln|umsteigen)\b",
        # the matter closed for them, said in a main clause: "Für uns ist das Thema daher
        # erledigt", "Das Thema hat sich für uns erledigt", "Für üs isch das Thema erledigt"
        # (Swiss); not "sobald das Thema Inventur erledigt ist, gerne"
        r"(?:thema|sache|angelegenheit)\s+(?:ist|is|isch|wäre|hat\s+sich)\s+(?:[^\s.,;:!?]+\s+){0,3}?"
        r"erledigt|(?:ist|is|isch|wäre|hat\s+sich)\s+(?:[^\s.,;:!?]+\s+){0,3}?(?:thema|sache|"
        r"angelegenheit)\s+(?:[^\s.,;:!?]+\s+){0,3}?erledigt|(?:ist|is|hat\s+sich)\s+(?:das\s+|des\s+)?"
        r"für\s+uns\s+(?:[^\s.,;:!?]+\s+){0,2}?erledigt",
    ),
    interest=(
        # (not "ich möchte gerne wissen, an wen Sie die Mail geschickt haben": a question about us;
        # nor "wir würden die Halle gerne untervermieten": the writer's own business for sale or
        # to let)
        r"interess|gerne?\b(?!\s+(?:wissen|erfahren)\s*,?\s+(?:an\s+wen|woher|wer|warum|wieso|"
        r"weshalb)\b)(?!(?:\s+[^\s.,;:!?]+){0,3}?\s+(?:unter)?(?:vermieten|verkaufen|verpachten|"
        r"abgeben|loswerden)\b)|klingt\s+(?:gut|interessant|spannend)|rufen\s+sie\s+(?:mich\s+)?an|"
        r"termin(?!al)|mehr\s+informationen|unterlagen|preis|angebot|demo|telefonat",
        r"klingt\s+(?:\S+\s+)?(?:gut|spannend|interessant|vielversprechend)|(?:schicken|senden)\s+"
        r"sie\s+(?:mir|uns)|was\s+kostet|kosten\b|wann\s+(?:haben|hätten|passt|können)|"
        # (also with a time between: "Können wir im Jänner telefonieren?", "Sollen wir nächste
        # Woche kurz sprechen?"; not "können wir leider nicht")
        r"passt\s+(?:mir|uns|gut)|(?:können|könnten|sollen|sollten)\s+wir\s+(?:(?!nicht\b|nie\b|"
        r"kein)[^\s.,;:!?]+\s+){0,4}?(?:telefonieren|sprechen|reden|treffen)|lassen\s+sie\s+uns|würde\s+mich\s+freuen|rufen\s+sie\s+an|"
        r"melden\s+sie\s+sich|gespräch|testen|ausprobieren",
        # a call asked for with words between, a slot that suits, material or an invitation
        # asked for: "Rufen Sie mich gerne morgen an", "würde mir passen", "Schicken Sie bitte
        # eine Teams-Einladung"
        # (also Austrian: "Rufen's mi amal an")
        r"(?:rufen\s+sie|rufen['’]s)\s+(?:mich|mi|uns)\s+(?:(?!nicht\b|nie\b|niemals\b|keinesfalls\b|"
        r"bloß\s+nicht\b|ned\b|net\b|"
        r"kein\w*\b|weder\b)[^\s.,;:!?]+\s+){0,4}?an\b|"
        # a day and hours: "Rufen Sie mich am Donnerstag zwischen 9 und 11 Uhr an"
        rf"rufen\s+sie\s+(?:mich|uns)\s+(?:(?:bitte|gerne?|doch)\s+)*(?:(?:nächste|kommende)\s+"
        rf"woche\s+)?(?:am\s+)?(?:{_DAY}|morgen|übermorgen)\s+(?:(?:vormittag|nachmittag|früh)\s+)?"
        r"(?:(?:zwischen|ab|um|gegen|nach|vor|von)\s+\d{1,2}(?:[.:]\d\d)?(?:\s+uhr)?(?:\s+(?:und|"
        r"bis|-)\s+\d{1,2}(?:[.:]\d\d)?(?:\s+uhr)?)?\s+)?an\b|(?:würde|würden)\s+(?:mir|uns)\s+"
        r"(?:\S+\s+)?passen|(?:schicken|senden)\s+sie\s+(?:mir\s+|uns\s+)?(?:(?:bitte|doch|gerne|"
        r"gern)\s+)*(?:ein|eine|einen|die|das|den|mehr|weitere|infos?|unterlagen)\b|(?:teams|zoom|"
        r"kalender|termin|meeting|outlook)-?einladung",
        # another day offered: "Geht Dienstag um 10?", "wie wäre es mit Mittwoch", "Donnerstag
        # passt besser"
        rf"(?:geht|ginge|passt|wie\s+wäre\s+es\s+mit|wie\s+sieht\s+es\s+(?:am|mit)|hätten\s+sie)\s+"
        rf"(?:es\s+)?(?:(?:ihnen|dir|auch|denn|eventuell|vielleicht|stattdessen)\s+)*"
        rf"(?:(?:am|nächste[nrms]?|kommende[nrms]?)\s+)?(?:{_DAY}|morgen|übermorgen|nächste\s+woche)"
        # (not declined: "Geht morgen nicht, sorry")
        r"(?!\s+(?:\S+\s+)?(?:nicht|leider|nie|schlecht|kaum))|"
        rf"(?:{_DAY})\s+(?:\S+\s+)?(?:passt|geht|ginge|wäre)\s+(?:\S+\s+)?(?:besser|gut|prima|auch)",
    ),
    inline=(
        r"(?:antworten|anmerkungen|kommentare)\s+(?:\S+\s+){0,2}?(?:unten|im\s+text|inline|in\s+rot|"
        r"zwischen\s+den\s+zeilen)",
        r"antworte\s+(?:\S+\s+){0,2}?(?:unten|im\s+text|inline|zwischen\s+den\s+zeilen|"
        r"punkt\s+für\s+punkt)",
    ),
    answer_yes=(
        r"ja|jawohl|gerne|gern|natürlich|klar|sicher|durchaus|doch|auf\s+jeden\s+fall|unbedingt|"
        r"absolut|definitiv|selbstverständlich|sehr\s+gerne?|na\s+klar|aber\s+sicher|ja\s+bitte"
    ),
    answer_no=r"nein(?:\s+danke)?|nee|nö|keineswegs|gar\s+nicht|eher\s+nicht|nicht\s+wirklich",
    echo=(
        r"woran|(?:an|für|über)\s+was|wofür|worüber|was|wirklich|ernsthaft|genau|eigentlich|denn|"
        r"überhaupt|konkret|ich|wir|uns|mich",
    ),
    busy=(
        r"ich\s+(?:bin|sitze|saß)\s+(?:(?:gerade|grad|noch|jetzt|schon|leider|heute|den\s+ganzen\s+tag)"
        r"\s+){0,2}?in\s+(?:einem|einer|der|dem)\s+(?:termin|"
        r"besprechung|meeting|sitzung|telefonat)\b|(?:mein|meine)\s+(?:termin|besprechung|meeting|"
        r"telefonat)\s+(?:\S+\s+){0,2}?(?:dauert|zieht\s+sich|verschiebt\s+sich|läuft)\b|"
        r"ich\s+habe\s+(?:gleich|jetzt|noch|bis\s+\S+)\s+(?:einen\s+|ein\s+)?(?:termin|meeting|telefonat)\b",
    ),
    deferral=(
        # "Gerne kommen wir auf Sie zu, sollte sich daran etwas ändern", "bei künftigem Bedarf"
        r"(?:sollte|sollten|falls|wenn)\s+sich\s+(?:(?!nichts\b)\S+\s+){0,4}?(?:ändern|ändert|"
        r"geändert)\b|(?:bei|im)\s+(?:künftigem\s+|zukünftigem\s+)?bedarf(?:sfall)?\b|(?:wenn|"
        r"falls|sobald)\s+(?:\S+\s+){0,2}?bedarf\s+(?:\S+\s+)?(?:besteht|haben|entsteht)",
    ),
    spam_place=(
        r"(?:im|ins|in\s+(?:den|dem|meinem|meinen|unserem|unseren)|aus\s+dem|vom)\s+"
        r"(?:spam|junk)\w*|(?:spam|junk)-?(?:ordner|filter|verdacht|box|mail-?ordner)\w*",
    ),
    standing=(
        r"dringend|eilig|notfall|bei\s+bedarf|eingeschränkt|nach\s+meiner\s+rückkehr|vertret|"
        r"während\s+meiner|automatisch|abwesenheitsnotiz|sie\s+erreichen\s+mich",
    ),
    negation=rf"nicht|kein|keine|keinen|keinem|kei|ka|{_NOT}|nie|niemals|kaum",
    spelled_out=True,
)
