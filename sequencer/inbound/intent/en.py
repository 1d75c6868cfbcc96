"""English cues for reply intent (see :class:`~sequencer.inbound.intent.lexicon.Lexicon`)."""

from __future__ import annotations

from sequencer.inbound.intent.lexicon import Lexicon

_ME = r"(?:me|us|myself|ourselves|my\s+team|our\s+team)"
_DAY = r"(?:mon|tues|wednes|thurs|fri)day"
#: A person: a capitalised name (case-sensitive, not "I"), a pronoun or a role.
_NAME = (
    r"(?-i:(?!(?:I|The|This|That|We|You|It|Please|Thanks|Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Q\d)\b)[A-ZÄÖÅ][a-zäöåé]+(?:\s+[A-ZÄÖÅ][a-zäöåé]+)?)\b"
)
_PERSON = (
    rf"(?:{_NAME}|him\b|her\b|them\b|(?:my|our|the|your)\s+"
    r"(?:\w+\s+){0,2}?(?:colleague|manager|boss|head|director|cto|ceo|cfo|coo|vp|buyer|"
    r"purchasing|procurement|ops|operations|logistics|it|team|person|lead|owner|partner))"
)
#: "No need to rush / to apologise" declines nothing.
_NO_RUSH = r"(?!\s+(?:to\s+)?(?:rush|hurry|apologi[sz]e|worry|reply|respond|chase)\b)"
_NOT_THREAD = r"(?!\s+(?:this|the|that)\s+(?:thread|chain|cc|loop|one|call|invite))"

#: "Don't call me before 10", "don't email me, call me instead", "don't contact me on Teams":
#: when, how or where, not whether. (The base unsubscribe rule keeps a shorter list for its own
#: "don't contact me", which asks for no contact by any way: "Do not contact me by email.",
#: "Don't contact me, just don't." are removals.) "instead" is looked for within 200 characters,
#: so a long text of such phrases is read in linear time.
_NOT_WHEN = (
    r"(?!\s*(?:before|after|until|till|between|during|yet|today|tomorrow|this\s+week|right\s+now|"
    r"in\s+the\s+(?:morning|afternoon|evening)|at\s+(?:\d|my|the|this|work|home)|on\s+(?:my|this|the|"
    r"teams|whatsapp|linkedin|slack|weekends?|\w+days?)|via|through|by\s+(?:phone|e-?mail|mail)|here\b|"
    r"there\b|,?\s*(?:but|just|rather|only)\b))(?![^.!?\n]{0,200}?\binstead\b)"
)

#: Another way to reach the writer asked for instead, a clause or two later, with what to send
#: or when: "dont call me, im on the yard all day. email me the details", "Don't email me. Call
#: me on Thursday". Not a list of ways refused ("Don't email me, call me or text me"), nor one
#: with nothing asked ("Send me nothing", "call me if you want to hear no in person").
_ANOTHER_WAY = (
    r"(?![\s\S]{0,160}?(?:[.,;:!?]\s*|\s(?:but|just|rather|instead|so)\s+)(?:(?:please|pls|just|"
    r"rather|only|instead|you\s+can|feel\s+free\s+to)\s+)*(?:e-?mail|mail|text|message|write\s+to|"
    r"whatsapp|call|ring|phone|send)\s+(?:me|us)\s+(?:(?:the|your|a|an|some|more|any)\s+)?(?:details|"
    rf"info|information|pricing|prices?|price\s+list|quote|offer|proposal|deck|materials|brochure|"
    rf"case|docs|link|on\s+(?:\d|{_DAY})|at\s+\d|tomorrow|next|{_DAY}|after|before|in\s+the)\b"
    # (not grudging or hostile: "call me on Thursday if you must", "... to explain where you got
    # my address")
    r"(?![^.!?\n]{0,60}?\b(?:if\s+you\s+(?:must|have\s+to|really)|explain|report)))"
)

#: Passed on to be reported, not to be answered: "I've forwarded this to our IT as possible
#: phishing".
_REPORTED = (
    r"(?!\s+(?:\S+\s+){0,3}?as\s+(?:a\s+)?(?:possible\s+|potential\s+|suspected\s+)?"
    r"(?:phishing|spam|scam|fraud))"
)

LEXICON = Lexicon(
    language="en",
    unsubscribe=(
        # "I would be grateful if this were the last message I receive from Kuittiko"
        r"(?:this|that|it)\s+(?:was|were|is|be)\s+the\s+last\s+(?:message|e-?mail|mail|time)\s+"
        r"(?:i|we)\s+(?:receive|get|hear)\b",
        # contact at all: "Don't contact me. Email me the price list" contradicts itself, and
        # the first word stands
        r"(?:please\s+)?(?:don['’]?t|do\s+not|never)\s+(?:contact|reach\s+out\s+to)\s+(?:us|me)\b"
        rf"{_NOT_WHEN}",
        # one way of contact, perhaps with another asked for in its place
        r"(?:please\s+)?(?:don['’]?t|do\s+not|never)\s+(?:e-?mail|message|write\s+to|call)\s+"
        rf"(?:us|me)\b{_NOT_WHEN}{_ANOTHER_WAY}",
        r"stop\s+(?:contacting|messaging|writing\s+to|spamming|sending)\s+(?:me|us)\b",
        # every way refused in a list: "Do not email, text or call me."
        r"(?:don['’]?t|do\s+not|never)\s+(?:e-?mail|text|call|message|phone|contact)(?:\s*,\s*"
        r"(?:e-?mail|text|call|message|phone|contact))*\s*,?\s+(?:or|and|nor)\s+(?:e-?mail|text|"
        r"call|message|phone|contact|write\s+to)\s+(?:me|us)\b",
        # not a chore of the writer's own: "stop sending emails back and forth with carriers"
        r"stop\s+sending\s+(?:these|this|emails|messages)\b(?!\s+(?:back|with|between|around|"
        r"manually|by\s+hand|internally|on\s+paper|to\s+(?!me\b|us\b)))",
        r"(?:(?:please\s+)?(?:stop|quit|cease)|please\s+(?:don['’]?t|do\s+not|never))\s+send(?:ing)?\s+"
        r"(?:(?:any|your|more|further|us|me)\s+)*(?:marketing|sales|promotional|advertising|ads|"
        r"adverts|newsletters?|offers|cold\s+e-?mails?)\b",
        r"no\s+more\s+(?:e-?mails|messages|mails)\b",
        r"remove\s+(?:us|my\s+(?:e-?mail|address|details|name|data)|our\s+(?:e-?mail|address|"
        r"company|details))\b",
        r"(?:delete|erase|remove)\s+(?:all\s+)?(?:of\s+)?(?:my|our)\s+(?:personal\s+)?(?:details|data|"
        r"information|address|e-?mail|contact\s+details)\b|never\s+(?:consented|agreed)\s+to\b|never\s+gave\s+(?:my\s+|any\s+)?"
        r"consent\b",
        # short and plain: "Please stop.", "STOP", "Remove.", "unsub", "Kindly refrain from
        # contacting me", "Please delete me from your system", "Lose my address"
        r"^\s*(?:please\s+|just\s+)?(?:stop|remove|unsub|unsubscribe)\s*[.!]*(?:\s+(?:just\s+stop|"
        r"thanks?|thank\s+you)\s*[.!]*)*\s*$|refrain\s+from\s+(?:contacting|e-?mailing|sending|"
        r"calling|messaging|writing)\b|delete\s+(?:me|us)\s+from\b|(?:i['’]d|i\s+would)\s+rather\s+"
        r"not\s+(?:get|receive)\s+(?:these|this|your|any)\b|opt[\s-]?out\s+link\b|lose\s+my\s+"
        r"(?:address|number|e-?mail)\b",
        r"(?:delete|erase|remove)\s+(?:this|my|our|the)\s+(?:e-?mail\s+)?address\s+from\s+"
        r"(?:your|the)\s+(?:\w+\s+)?(?:register|registry|database|records|list|lists|crm|system|"
        r"contacts)\b",
        r"(?:don['’]?t|do\s+not)\s+(?:want|wish\s+to\s+receive)\s+(?:any\s+)?(?:more\s+|further\s+)?"
        r"(?:marketing|sales|promotional|advertising|cold)\s+(?:e-?mails?|messages|mail|calls)\b",
        r"erasure\s+of\b|right\s+to\s+(?:be\s+forgotten|erasure)\b|article\s+17\b|"
        r"delete\s+(?:\w+\s+){0,3}?(?:on|about)\s+(?:me|us)\b",
        r"(?:stop|quit|cease)\s+(?:\w+\s+)?(?:e-?m\w*l\w*|mail\w*|messag\w*|contact\w*|writ\w*|"
        r"send\w*|spam\w*)\s+(?:me|us|to\s+(?:me|us)|this|these)\b",
        # my or our people, whoever says it ("Please stop emailing my team", "You have to stop
        # contacting our employees"); not the writer's own business ("we are trying to stop
        # messaging our drivers on WhatsApp")
        r"(?:stop|quit|cease)\s+(?:\w+\s+)?(?:e-?m\w*l\w*|mail\w*|messag\w*|contact\w*|writ\w*|"
        r"send\w*|spam\w*)\s+(?:my|our)\s+(?:\w+\s+)?(?:employees|staff|team|teams|people|colleagues|"
        r"company|office|organi[sz]ation|inbox|address|mailbox|department|managers|members|"
        r"personnel|workers|sales\s+team|executives|board)\b",
        r"not\s+(?:to\s+)?(?:e-?mail|contact|message|write\s+to|call)\s+(?:me|us)\s+(?:\w+\s+){0,3}?"
        r"(?:again|anymore|any\s+more|any\s+longer|in\s+(?:the\s+)?future)\b|(?:don['’]?t|do\s+not|"
        r"never)\s+(?:write|e-?mail|contact|message)\s+(?:\w+\s+)?again\b",
        r"take\s+(?:\S+\s+){1,5}?off\s+(?:\w+\s+){0,2}?(?:list|lists|mailing|database|distribution)\b",
        r"take\s+(?:us|my\s+(?:e-?mail|address|name))\s+off\b",
        # a list that keeps people out: "put me on your do-not-contact list", "add us to your
        # suppression list" (not "add me to the invite list")
        r"(?:put|add|place|keep)\s+(?:\S+\s+){1,3}?(?:on|to|in)\s+(?:your|the|a)\s+"
        r"(?:do[\s-]*not[\s-]*(?:contact|call|e-?mail|mail|disturb)|no[\s-]*contact|suppression|"
        r"opt[\s-]*out|unsubscribe|block(?:ed)?|black|stop)[\s-]*list\b|"
        r"do[\s-]*not[\s-]*(?:contact|e-?mail|mail)[\s-]*list\b",
        r"(?:i|we)\s+never\s+(?:signed|opted)\s+(?:up|in)\b",
        # or a pronoun with "anymore": "I dont want to receive them anymore"
        r"(?:don['’]?t|do\s+not)\s+(?:want|wish)\s+to\s+(?:receive|get|hear)\s+(?:(?:any\s+)?(?:more|"
        r"further|these|your)\b|(?:them|it|this|those)\s+(?:any\s*more|any\s+longer)\b)",
        # "please not send" is a non-native writer's "please do not send"
        r"(?:don['’]?t|do\s+not|please\s+not)\s+send\s+(?:me|us)\s+(?:any\s+)?(?:more|further|"
        r"anything)\b",
        # the object left for last, or out: "please don't send more of these to me", "Please not
        # send more emails to this adress"
        r"(?:don['’]?t|do\s+not|never|please\s+not)\s+send\s+(?:any\s+)?(?:more|further)\s+"
        r"(?:of\s+)?(?:these|this|them|such|e-?mails|messages|mails)\b",
        r"(?:don['’]?t|do\s+not)\s+want\s+(?:any\s+)?(?:more|further)\s+(?:e-?mails|messages|mail)\b|"
        r"(?:don['’]?t|do\s+not)\s+(?:want|wish)\s+to\s+hear\s+from\s+you\b",
        # the sender named: "I do not wish to hear from Lastbil Data again"
        r"(?:don['’]?t|do\s+not|never)\s+(?:want|wish)\s+to\s+hear\s+from\s+(?:\S+\s+){1,4}?"
        r"(?:again|anymore|any\s+more|any\s+longer)\b",
        rf"take\s+(?:me|us)\s+off\b{_NOT_THREAD}|(?:un|de)list\s+(?:me|us)\b|"
        r"opt\s+(?:me|us)\s+out\b|(?:want|wish|like)\s+to\s+opt[\s-]out\b",
        r"stop\s+(?:e-?mailing|mailing|calling|bothering|pestering|harassing|chasing|spamming)\b",
        # the wish in the past tense: "I'd really appreciate it if you stopped emailing this
        # address", "I'd rather you stopped contacting us" (not what was seen: "I noticed you
        # stopped emailing", nor a chore: "if you stopped sending paper invoices")
        r"(?:if|wish|rather|prefer)\s+you\s+(?:just\s+|simply\s+|all\s+)?stopped\s+(?:e-?mailing|"
        r"mailing|contacting|messaging|writing\s+to|spamming|calling|bothering|pestering|sending\s+"
        r"(?:me|us|these|this|them|e-?mails|mails|messages))\b",
        r"leave\s+(?:me|us)\s+alone\b|(?:this\s+is|it['’]s|is\s+pure)\s+spam\b|"
        # "I did not ask for these" ("asked?" read "aske" or "asked", never the plain "ask")
        r"(?:never|didn['’]?t|did\s+not)\s+(?:ask(?:ed)?|sign(?:ed)?\s+up|subscribed?|opted\s+in)\s+"
        r"(?:for|to)\s+(?:this|these|your)\b",
        r"(?:don['’]?t|do\s+not|never|not\s+to)\s+(?:e-?mail|contact|message|call|write\s+to)\s+"
        r"(?:me|us)\s+(?:again|anymore|any\s+more)\b|(?:off|from)\s+your\s+(?:mailing\s+)?list\b(?!\s+of\b)",
    ),
    absence=(
        # more notices: "I'm OOO until 4 January", "on PTO through Jan 4", "on a business trip
        # until", "on Christmas break until", "Currently on holiday, back 4 Jan"
        r"(?:i\s+am|i['’]m)\s+(?:\w+\s+)?(?:ooo|on\s+pto|on\s+(?:a\s+)?business\s+trip|on\s+(?:my\s+)?"
        r"christmas\s+(?:break|holidays?|leave)|out\s+from\s+\d+)\b|currently\s+(?:on\s+(?:holiday|leave|vacation|"
        r"pto)|away|out\s+of\s+(?:the\s+)?office)\b|^\s*on\s+(?:holiday|leave|vacation)\s*[-–—,:]\s*back\b",
        # the whole office closed for a while, said with its dates or its holiday: "Our offices
        # are closed from 23 December", "closed for the holidays", "we reopen on 7 January" (not
        # "our office is closed Friday, so can we do Thursday", "the warehouse will be closed
        # next year", "we are closed to new suppliers")
        r"(?:(?:office|offices|company|we|premises|shop|store)\s+(?:is|are|will\s+be|remains?|"
        r"stays?)|we['’]re|we['’]ll\s+be)\s+(?:\w+\s+){0,2}?closed\s+(?:from|between|until|till|"
        r"through)\s+(?:\S+\s+)?"
        r"(?:\d|the\s+\d|(?:mon|tues|wednes|thurs|fri)day|dec|jan)|(?:office|offices|company|we)\s+"
        r"(?:is|are)\s+closed\s+(?:today|this\s+week|all\s+week)|closed\s+(?:for|over|during)\s+"
        r"(?:the\s+)?(?:holidays?|christmas|festive|summer\s+holidays?|new\s+year)|(?:re-?open|"
        r"re-?opens|re-?opening)\s+on\s+(?:\d|(?:mon|tues|wednes|thurs|fri)day|jan|the\s+\d)",
        # (not off the job in hand, which says when the writer is free: "call me thursday after
        # 14, I'm off the floor then", "I'll be off the road by 4")
        r"(?:i\s+am|i['’]m|i\s+will\s+be|i['’]ll\s+be)\s+(?:\w+\s+){0,2}(?:out\s+of\s+(?:the\s+)?"
        r"office|away|off(?!\s+(?:the\s+)?(?:floor|phones?|road|yard|site|forklift|truck|line|"
        r"clock)\b)|out\s+sick|off\s+sick|home\s+sick|on\s+(?:\w+\s+)?(?:leave|vacation|"
        r"holiday|holidays|sabbatical)|"
        r"travell?ing\s+(?:until|till|and\s+will|with\s+limited)|offline|at\s+a\s+(?:conference|"
        r"trade\s+fair))\b",
        r"(?<!was\s)(?<!were\s)(?<!been\s)out\s+of\s+(?:the\s+)?office\b",
        r"on\s+(?:annual\s+|parental\s+|maternity\s+|paternity\s+|sick\s+)?(?:leave|vacation|"
        r"holiday)\s+(?:until|till|through|from|and\s+will)\b",
        r"(?:with\s+)?limited\s+(?:access\s+to\s+(?:my\s+)?e-?mail|e-?mail\s+access)\b",
        r"(?:i\s+will|i['’]ll)\s+(?:respond|reply|answer|get\s+back\s+to\s+you)\s+(?:to\s+your\s+"
        r"(?:e-?mail|message)\s+)?(?:when|upon|as\s+soon\s+as|after)\s+(?:i|my)\s+return",
        r"auto(?:matic|mated)?[\s-]?reply\b|auto(?:matic|mated)\s+(?:acknowledge?ment|"
        r"confirmation|notification)\b|(?:do\s+not|don['’]t)\s+reply\s+to\s+this\s+(?:message|"
        r"e-?mail)\b|ticket\s+(?:#|number|no\.?\s*|id\s*)\d",
        r"away\s+from\s+(?:the\s+office|my\s+desk)\b",
        # "somewhere warm with my phone switched off and back at my desk on Monday 11 January"
        r"back\s+(?:at|to)\s+my\s+desk\s+(?:on|from|after|in|by)\b",
        # a help desk's acknowledgement without a ticket number: "We have received your request
        # and will get back to you within 2 working days. For urgent issues call us on ..."
        r"your\s+(?:request|enquiry|inquiry|ticket|case|message|e-?mail)\s+has\s+been\s+(?:received|"
        r"registered|logged)\b|(?:we|i)\s+have\s+received\s+your\s+(?:request|enquiry|inquiry|"
        r"ticket|case)\b|(?:respond|reply|get\s+back\s+to\s+you|answer)\s+within\s+(?:\d+|one|two|"
        r"three)\s+(?:working\s+|business\s+)?(?:hours|days)\b",
        r"(?:i\s+am|i['’]m)\s+(?:\w+\s+)?out\s+(?:until|till|through|of\s+the\s+country)\b",
        r"(?:i\s+am|i['’]m)\s+(?:\w+\s+)?attending\s+(?:a|an|the)\s+(?:\w+\s+)?(?:conference|"
        r"trade\s+fair|event|training|workshop|summit)\b",
        r"checking\s+(?:my\s+)?e-?mails?\s+(?:only\s+)?(?:occasionally|sporadically|"
        r"intermittently|rarely)\b",
        r"(?:i\s+am|i['’]m|i\s+will\s+be|i['’]ll\s+be)\s+(?:currently\s+)?away\s+(?:until|till|"
        r"through|from|on|for|this|next)\b",
        r"(?:i['’]ll|i\s+will|i['’]m|i\s+am)\s+(?:be\s+)?back\s+(?:in\s+the\s+office\s+|at\s+"
        r"(?:my\s+)?(?:desk|work)\s+|online\s+)?(?:on|from|after|in\s+(?:january|the\s+new)|"
        r"monday|tuesday|\d)",
        r"(?:back|returning)\s+(?:in|to)\s+the\s+office\s+(?:on|from|after|\d)",
        r"(?:not|no\s+longer)\s+(?:be\s+)?(?:checking|monitoring|reading|answering)\s+(?:\w+\s+)?"
        r"(?:inbox|e-?mails?|mailbox|messages)\b",
        r"(?:inbox|mailbox|address)\s+is\s+(?:no\s+longer|not)\s+(?:monitored|in\s+use|"
        r"checked|active)\b",
        # a shared mailbox's answer, in words a non-native writer uses: "This is automatic
        # message", "is not personally monitored every day"
        # (not asked: "This is an automated response, I guess?")
        r"this\s+is\s+(?:an?\s+)?auto(?:matic|mated|matically\s+(?:sent|generated))\s+"
        r"(?:message|e-?mail|response|answer|notice)\b(?![^.!?\n]*\?)|(?:is|are)\s+not\s+(?:personally|"
        r"regularly|constantly|actively|always)\s+(?:monitored|read|checked)\b",
        r"(?:i\s+am|i['’]m)\s+(?:\w+\s+)?(?:on\s+)?(?:parental|maternity|paternity|sick|"
        r"medical|study)\s+leave\b|on\s+sabbatical\b",
        r"(?:i\s+am|i['’]m|we\s+are|we['’]re)\s+(?:\w+\s+)?at\s+(?:a|an|the)\s+(?:\w+\s+){0,2}?"
        r"(?:trade\s+show|show|conference|fair|expo|summit|congress|offsite)\b",
    ),
    referral=(
        rf"(?:contact|reach\s+out\s+to|talk\s+(?:to|with)|speak\s+(?:to|with)|"
        rf"get\s+in\s+touch\s+with|write\s+to|connect\s+with|e-?mail)\s+"
        rf"(?!{_ME}\b|again\b|later\b|next\b|in\s+q\d)"
        r"(?:my|our|the|his|her|their|him|her|them)\s+(?:\w+\s+){0,2}?(?:colleague|manager|"
        r"boss|head|director|cto|ceo|cfo|coo|team|department|buyer|purchasing|procurement|"
        r"person|contact|lead|owner|partner|office)",
        r"go(?:es)?\s+through\s+(?:our|my|the)\s+(?:\w+\s+){0,2}?(?:manager|team|department|"
        r"director|head|colleague|buyer|procurement|purchasing|office|lead)\b|"
        r"(?:my|his|her)\s+(?:replacement|successor)\b|"
        r"(?:he|she|they)(?:['’]d|\s+would|['’]s|\s+is|\s+are)\s+(?:be\s+)?(?:the\s+(?:one|person|"
        r"people)|the\s+(?:guy|contact)\s+(?:for|to|you)|who\s+you\s+want)\b|(?<!i['’]m\s)(?<!i\sam\s)the\s+(?:one|person|people)\s+to\s+"
        r"(?:talk|speak)\s+(?:to|with)\b",
        r"(?:i['’]ve|i\s+have|i['’]ll|i\s+will|i|we['’]ve|we\s+have)\s+(?:just\s+)?(?:forwarded|"
        r"passed|shared|sent)\s+(?:this|your\s+(?:e-?mail|message|note)|it)\s+(?:on\s+)?(?:to|"
        rf"with)\b{_REPORTED}",
        r"(?:forwarding|passing)\s+(?:this|your\s+(?:e-?mail|message))\s+(?:on\s+)?to\b",
        # (the writer's own "I'll pass it on to our contractor" brings someone along: beside)
        r"(?<!i['’]ll\s)(?<!i\swill\s)(?<!we['’]ll\s)(?<!we\swill\s)(?:pass|send|hand|forward)(?:ing)?"
        r"\s+(?:this|it|your\s+(?:e-?mail|note|message))\s+(?:along|over|on)\s+to\b",
        r"(?:owns|handles|runs|manages|covers)\s+(?:that|this|it|these)\s+(?:now|today|"
        r"these\s+days|area)\b",
        rf"forwarded\s+(?:this\s+|it\s+|your\s+\w+\s+)?(?:on\s+)?to\b{_REPORTED}",
        r"you(?:['’]d|\s+had)\s+better\s+(?:talk|speak)\s+(?:to|with)\s+(?:him|her|them|procurement|"
        r"purchasing|finance|operations|legal|hr|marketing|logistics)\b",
        r"you(?:['’]d|\s+would|\s+should|\s+might)\s+(?:want|need)\s+(?:to\s+(?:talk|speak)\s+"
        r"(?:to|with)\s+)?(?:him|her|them|procurement|purchasing|finance|operations|ops|it|legal|"
        r"hr|marketing|logistics|our\s+\w+|the\s+\w+\s+(?:team|department|people))\b",
        rf"ask\s+for\s+{_NAME}",
        # "this would be for our DC manager rather than me", "more one for Jari than for me"
        r"(?:would\s+be|is|['’]s)\s+(?:more\s+)?(?:one\s+)?for\s+(?:\S+\s+){1,6}?(?:rather\s+)?than\s+"
        r"(?:for\s+)?(?:me|us|myself)\b",
        r"(?:try|ask|ping)\s+(?:him|her)\b|give\s+(?:him|her)\s+a\s+(?:call|ring|shout|buzz)\b",
        # the conversation handed over: "please continue with her", "carry on with Mikko"
        rf"(?:continue|carry\s+on|proceed|follow\s+up)\s+(?:this\s+|the\s+discussion\s+)?with\s+"
        rf"(?:him|her|{_NAME})",
        # a decider, perhaps with a title in commas: "Ville, our CTO, decides on anything software"
        rf"{_PERSON},?\s+(?:(?:our|my|the)\s+[^,.\n]{{1,30}},\s+)?(?:handles|looks\s+after|is\s+in\s+"
        r"charge\s+of|is\s+responsible\s+for|decides\s+(?:on|about)|makes\s+the\s+(?:call|"
        r"decisions?)\s+on|signs\s+off\s+on)\s+(?:this|these|that|our|all|any|anything|everything|"
        r"purchasing|procurement|marketing|logistics|it|software|tools|systems)\b",
        r"(?:the\s+)?(?:right|best|better)\s+(?:person|contact)\s+(?:is|would\s+be|for\s+this\s+"
        r"is)\b",
        r"(?:is|would\s+be|['’]s)\s+the\s+(?:one|person|guy|woman|man)\s+who(?:['’]d|\s+would|"
        r"\s+will|['’]ll)?\s+(?:care|own|handle|decide|know|deal|look\s+after|run|be\s+responsible)"
        r"|(?:person|one|guy|team|people)\s+who(?:['’]d|\s+would)\s+(?:own|handle|decide|run|"
        r"deal\s+with|look\s+after|be\s+responsible\s+for)\s+(?:this|that|it)\s+(?:is|are)\b",
        r"you\s+(?:want|need)\s+(?!to\b|a\b|an\b|the\b|this\b|that\b|it\b|more\b|some\b)\w+\s+"
        r"(?:in|from|at|over\s+in)\s+\w+",
        r"(?<!funny\s)(?<!glad\s)(?:you\s+should|better\s+to|best\s+to)\s+(?:ask|contact|"
        r"talk\s+to)\b",
        rf"(?:contact|reach\s+out\s+to|talk\s+(?:to|with)|speak\s+(?:to|with)|"
        rf"get\s+in\s+touch\s+with|write\s+to|connect\s+with|ask|try|ping|e-?mail|call)\s+{_NAME}",
        rf"(?:hand(?:ed|ing)?|pass(?:ed|ing)?|forward(?:ed|ing)?|refer(?:red|ring)?|redirect(?:ed|ing)?|"
        rf"send(?:ing)?|sent)\s+(?:(?:this|it|you|your\s+\w+)\s+)?(?:over\s+|on\s+|along\s+)?to\s+"
        rf"{_PERSON}{_REPORTED}",
        rf"{_PERSON}\s+(?:is|would\s+be|['’]s)\s+(?:the\s+(?:one|person|guy|contact)|your\s+"
        r"(?:person|guy|contact|best\s+bet)|who\s+you\s+(?:want|need)|better\s+placed|"
        r"best\s+placed|the\s+right\s+(?:person|contact))\b",
        r"(?:wrong|not\s+the\s+right)\s+(?:person|contact)\W+(?:\w+\s+){0,3}?(?:try|contact|ask|"
        r"reach|talk\s+to|speak\s+(?:to|with))\b",
        r"(?:i['’]m|i\s+am)\s+no\s+longer\s+(?:with|at|working)\b[^.\n]*\.\s*(?:please\s+)?"
        r"(?:contact|reach|write|e-?mail|try|ask)\b",
        # an office's standing instruction: "Please direct any enquiries regarding your product
        # to Procurement Specialist Laura Heikkinen", "Sales enquiries should be sent to
        # hankinnat@..." (not "send any questions to me")
        r"(?:direct|address|send|forward|refer|submit)\s+(?:any|all|your|further|future)?\s*"
        r"(?:\w+\s+)?(?:enquiries|inquiries|questions|queries|offers|proposals|quotations|"
        r"correspondence)\s+(?:\S+\s+){0,6}?to\b(?!\s+(?:me|us|myself)\b)|(?:enquiries|"
        r"inquiries|questions|queries|offers|proposals|quotations|correspondence)\s+"
        r"(?:\S+\s+){0,6}?(?:should|must|can|may|are\s+to)\s+be\s+(?:directed|sent|addressed|"
        r"submitted|forwarded)\s+"
        r"(?:\w+\s+)?to\b(?!\s+(?:me|us|myself)\b)",
        r"(?:took|has\s+taken|have\s+taken|taking)\s+over\b|(?:fwd|fw)['’]?(?:e?d)?\s+(?:this\s+|"
        r"it\s+)?(?:on\s+)?to\b|(?:he|she|they)(?:['’]ll|\s+will)\s+(?:get\s+back|reach\s+out|"
        r"be\s+in\s+touch|follow\s+up)\b",
    ),
    referral_weak=(
        r"contact\b",
        r"reach\b",
        r"write\s+to\b",
        r"(?:right|better|best)\s+person\b",
        r"e-?mail\s+(?:address\s+)?is\b|(?:send|forward|direct|address)\w*\s+(?!(?:an?|the|your|"
        r"calendar)\s+(?:\w+\s+)?invit)(?:\S+\s+){0,3}?to\b(?!\s+(?:me|us)\b)|"
        r"go(?:es)?\s+through\b|route\b",
        r"try\b|ask\b|wrong\s+person\b|talk\s+to\b|speak\s+(?:to|with)\b|get\s+hold\s+of\b",
        r"(?:handles|owns|manages|runs|deals\s+with|looks\s+after|in\s+charge\s+of|"
        r"responsible\s+for)\b",
        r"not\s+(?:really\s+)?my\s+(?:area|department|remit|responsibility|call|decision|field|"
        r"job|team)\b",
    ),
    referral_beside=(
        r"(?:my|our)\s+colleague\b",
        r"(?:i['’]ve|i\s+have|i)\s+(?:cc['’]?d|copied|looped\s+in)\b",
        r"looping\s+in\b|cc['’]?ing\b|adding\s+(?:my|our)\b",
        r"(?:i['’]ll|i\s+will|we['’]ll|we\s+will)\s+(?:pass|send|hand|forward)\s+(?:this|it|them|that)\s+"
        r"(?:along|over|on)\s+to\b",
        r"(?:who|he|she|they)\s+(?:handles|handle|runs|looks\s+after|owns|manages|is\s+in\s+charge"
        r"|are\s+in\s+charge|is\s+responsible|are\s+responsible|decides|makes\s+the\s+call)\b|"
        r"(?:runs|manages|heads|leads|owns)\s+our\b",
        rf"(?:cc['’]?(?:ing|d)?|copying|copy|looping|loop|adding|add|include|including|bring(?:ing)?)"
        rf"\s+(?:in\s+)?{_PERSON}",
    ),
    refusal=(
        r"no,?\s+thanks?\b|no\s+thank\s+you\b|thanks,?\s+but\s+no\b",
        r"not\s+(?:\w+\s+){0,2}?interested\b|no\s+interest\b|not\s+(?:\w+\s+)?of\s+interest\b",
        r"not\s+(?:a\s+)?(?:good\s+|great\s+|right\s+)?fit\b|not\s+for\s+us\b|"
        # "this ain't for us", "aint for me" (not "isn't for me to decide")
        r"(?:isn['’]?t|ain['’]?t)\s+(?:really\s+|quite\s+)?for\s+(?:us|me)\b(?!\s+to\b)",
        r"not\s+(?:right\s+)?now\b|not\s+at\s+(?:this|the)\s+(?:time|moment|point)\b|"
        r"not\s+this\s+(?:year|quarter|time|season)\b|not\s+(?:at\s+)?(?:the\s+)?moment\b",
        r"maybe\s+(?:later|next\s+(?:year|quarter|spring|autumn|fall))\b",
        r"(?:try|reach\s+out|check\s+back|circle\s+back|contact\s+(?:us|me))\s+(?:again\s+)?"
        r"(?:in|after|next|later|around)\s+(?:q\d|\d|the\s+(?:new|next|autumn|fall|spring)|"
        r"(?:the\s+)?(?:autumn|fall|spring|summer|january|february|march|april|may|june|july|"
        r"august|september|october|november|december|year|quarter|\w+\s+months?))",
        rf"no\s+budget\b|no\s+need\b{_NO_RUSH}|(?:don['’]?t|do\s+not|doesn['’]?t)\s+(?:really\s+)?(?:need|"
        r"(?:have|see|feel)\s+(?:a\s+|the\s+|any\s+)?(?:need|budget|use))\b",
        r"(?:isn['’]?t|is\s+not|aren['’]?t|are\s+not)\s+(?:really\s+)?(?:a\s+)?(?:priority|relevant|"
        r"something\s+we|for\s+us|fit|needed|topic\s+for\s+(?:us|me))\b",
        r"we['’]?re\s+(?:all\s+)?(?:set|good|covered)\b|we\s+are\s+(?:all\s+)?(?:set|covered)\b",
        r"(?:happy|satisfied|comfortable|content)\s+with\s+(?:our\s+|the\s+)?(?:current|existing|"
        r"where\s+we|what\s+we|how\s+we)\b",
        r"already\s+(?:have|use|using|work\s+with|working\s+with|signed|chose|chosen|committed|"
        r"partnered)\b",
        r"(?:we['’]?ve|we\s+have|we)\s+(?:decided|chosen|gone|opted|chose|went)\s+(?:to\s+go\s+)?"
        r"(?:with|against|for\s+another|not)\b",
        # (not passed along: "I'll pass it to our contractor", "I'll pass this on to Tim")
        r"(?:we['’]?ll|we\s+will|i['’]?ll|i\s+will)\s+pass\b(?!\s+(?:it|them|these|those|your|the|his|her|their|our)\b|\s+(?:this|that)\s+"
        r"(?:\S+\s+){0,3}?(?:on|along|over|to|forward)\b)|pass\s+on\s+(?:this|it)\b",
        r"not\s+(?:looking|relevant|a\s+priority|something\s+we|in\s+the\s+market|the\s+right\s+"
        r"time)\b",
        r"(?:no\s+longer|don['’]?t)\s+(?:work|deal)\s+(?:here|with)\b",
        r"(?:it['’]s|that['’]s|it\s+is|that\s+is|answer['’]s)\s+a\s+(?:hard\s+|firm\s+|definite\s+|"
        r"polite\s+)?no\b|(?:way\s+)?(?:more|bigger)\s+than\s+(?:we|i)(?:['’]d|\s+would|\s+will)?\s+"
        r"(?:ever\s+)?(?:need|use|require)\b|overkill\b",
        r"too\s+expensive\b|can['’]?t\s+afford\b|no\s+bandwidth\b|(?:won['’]?t|will\s+not)\s+be\s+"
        r"(?:moving|going|pursuing|needing|taking|bringing|hiring|using|engaging|changing|"
        r"switching)\b",
        r"(?:please\s+)?(?:close|drop)\s+(?:this|the\s+file|my\s+file)\b|not\s+going\s+to\s+work\b",
        r"(?:won['’]?t|will\s+not|wouldn['’]?t|doesn['’]?t|does\s+not|didn['’]?t)\s+(?:really\s+)?"
        r"(?:work\s+for|make\s+sense|be\s+a\s+fit|stick|fit)\b",
        r"(?:stay|stick|staying|sticking)\s+with\s+(?:our|the|what|manual|\w+\s+current)\b|"
        r"(?:we['’]ll|we\s+will|we['’]re\s+going\s+to)\s+stick\s+with\s+(?:it|that|them)\s*[,.!]|"
        r"locked\s+in(?:to)?\b|under\s+contract\b",
        r"decided\s+against\b|(?:good|fine|set|covered)\s+for\s+now\b|freeze\s+on\b|"
        r"(?:budget|hiring|spending)\s+freeze\b|no\s+plans\s+to\b|not\s+(?:planning|buying)\b",
        r"(?:follow\s+up|check\s+in|check\s+back|try\s+again|come\s+back)\s+in\s+(?:\w+\s+)?"
        r"(?:months?|weeks?|q\d|a\s+year|half\s+a\s+year)\b",
        r"(?:we|i)['’]?(?:ll|\s+will)\s+(?:reach\s+out|get\s+in\s+touch|let\s+you\s+know|contact\s+you)"
        r"\s+(?:if|when|should|once)\b",
        r"(?:say|saying|answer\s+is)\s+no\b|(?:have\s+to|must|will|going\s+to)\s+decline\b|"
        r"(?:politely\s+|respectfully\s+)?declin(?:e|ing)\b|turn\s+(?:this|it|you)\s+down\b",
        r"(?:i|we|i['’]ll|we['’]ll|i['’]d|we['’]d|to|will|gonna|going\s+to|hard)\s+pass\b(?!\s+(?:it|them|these|those|your|the|his|her|their|our)\b|\s+(?:this|that)\s+"
        r"(?:\S+\s+){0,3}?(?:on|along|over|to|forward)\b)|"
        r"^\s*pass\b|(?<=[.!?]\s)pass[.!]*\s*$|^\s*(?:no|nope|nah)\b(?!\s+(?:problem|worries|rush|niin|nii|joo|juu|kyllä|mä|mää|mie|minä|me|tota|siis|"
        r"okei|ok|se|sitten|jos|mutta|mut|hyvä|tuota|"
        r"nii|no))",
        r"in[\s-]house\b|home[\s-]?grown\b|(?:built|build|developed|have|run|use)\s+(?:our|my)\s+own\b",
        r"no\s+(?:real\s+)?(?:case|use|need|budget|appetite|room|capacity|time|requirement)\s+"
        rf"(?:for|to|at\s+the\s+moment|right\s+now|this\s+year)\b{_NO_RUSH}|no\s+(?:appetite|"
        r"capacity)\b",
        r"(?:we|we['’]re|we\s+are)\s+(?:already\s+)?(?:use|using|have|run|running|work\s+with|"
        r"working\s+with|with)\s+(?:\S+\s+){1,3}?already\b|already\s+(?:got|in\s+place|sorted|"
        r"taken\s+care)\b|(?:have|got)\s+(?:a|an|our)\s+(?:\w+\s+)?(?:solution|provider|vendor|"
        r"supplier|system|tool)\s+(?:already|in\s+place)\b",
        r"(?:we['’]re|we\s+are|i['’]m|i\s+am)\s+(?:fine|sorted|ok|okay|happy|good)\s+"
        r"(?:as\s+(?:we\s+are|is)|with\s+(?:what|our|the))\b|frozen\b|"
        # "We're fine, thanks." ending its sentence (not "I'm good thanks, hope you had a good
        # weekend", which answers "how are you")
        r"(?:we['’]re|we\s+are|i['’]m|i\s+am)\s+(?:fine|sorted|ok|okay|happy|good),?\s+(?:thanks|"
        r"thank\s+you)(?=\s*(?:[.!]|$))|"
        r"(?:too\s+(?:busy|stretched)|swamped)\b|(?:not|no)\s+(?:something|anything)\s+we\b",
        r"(?:circle|come|check|get)\s+back\s+(?:to\s+(?:me|us)\s+)?(?:next|in|after|later)\b|"
        r"(?:revisit|reconnect|talk)\s+(?:this\s+|again\s+)?(?:next|in|after)\s+(?:year|quarter|"
        r"q\d|the\s+new\s+year|spring|autumn|fall|summer|\d)",
        r"not\s+(?:a\s+)?(?:need|match|priority|focus|option|requirement)\b|"
        r"(?:not|never)\s+going\s+to\s+(?:buy|happen|switch|change)\b|no\s+longer\s+(?:with|at)\b",
        r"(?:don['’]?t|do\s+not|won['’]?t|will\s+not)\s+(?:\w+\s+)?(?:need|require|"
        r"switch|change|invest|move\s+forward|proceed|go\s+ahead)\b",
        # the company declining to buy, not a writer saying it is not their job: "I drive a
        # forklift, I don't buy anything here" (but "we don't buy from cold emails", "I won't buy")
        r"(?<!\bi\s)(?:don['’]?t|do\s+not)\s+(?:\w+\s+)?buy\b|(?:won['’]?t|will\s+not)\s+"
        r"(?:\w+\s+)?buy\b",
        r"(?:not|(?<!\w)\w+n['’]t)\s+(?:be\s+)?(?:\w+\s+)?(?:necessary|needed|required)\b|"
        rf"unnecessary\b|no\s+need\b{_NO_RUSH}|(?:system|tool|software|platform|solution|process|provider|"
        r"vendor|erp|wms|team)\s+(?:already\s+)?(?:handles|covers|does|takes\s+care\s+of)\b",
        r"(?:i['’]ve|i\s+have|we['’]ve)\s+(?:left|moved\s+on\s+from)\b|no\s+longer\s+(?:work|"
        r"working|employed|in\s+(?:this|that)\s+role)\b",
        r"(?:don['’]?t|can['’]?t|do\s+not|cannot)\s+see\s+(?:us|this|it|a|the|how|any|that)\b|"
        r"budget\s+(?:is|has\s+been)\s+(?:\w+\s+)?(?:spent|used|gone|allocated|cut|frozen)\b",
        r"(?:isn['’]?t|is\s+not|not|aren['’]?t|are\s+not)\s+(?:\w+\s+)?on\s+(?:our|my|the)\s+"
        r"(?:\w+\s+)?(?:roadmap|radar|agenda|list|plans?|priorities)\b|nothing\s+to\s+(?:discuss|"
        r"talk\s+about)\b",
        # the need gone: "So there's nothing for us to track anymore", "There's nothing for us to
        # use it on", "nothing left to monitor" (not "nothing to lose" nor "nothing to add")
        r"nothing\s+(?:left\s+)?(?:for\s+(?:us|me)\s+)?to\s+(?:track|trace|monitor|tag|use|solve|"
        r"fix)\b",
        r"(?:doesn['’]?t|does\s+not|don['’]?t|won['’]?t|wouldn['’]?t)\s+(?:really\s+)?(?:solve|"
        r"address|fix)\s+(?:\w+\s+){0,2}?(?:problem|issue|pain|need)",
        r"(?:got|have|has)\s+(?:this|it|that|everything|things)\s+(?:\w+\s+)?covered\b|"
        r"(?:picked|chose|chosen|selected|went\s+with|signed\s+with|going\s+with)\s+(?:someone|"
        r"something|another|a\s+different|a\s+competitor|\w+\s+else)\b|(?:don['’]?t|do\s+not)\s+"
        r"think\s+(?:this|it|that)\s+(?:is|would\s+be|will\s+be)\s+(?:for|a\s+fit|right|"
        r"relevant|useful)\b",
        r"focus(?:ing)?\s+on\s+other\s+(?:priorities|projects|things|areas)\b|"
        r"(?:thanks?|appreciate\s+(?:it|this|that|the\s+\w+)),?\s+but\s+no\b(?!\s+(?:problem|worries|"
        r"rush|need\s+to\s+(?:rush|apologi[sz]e|worry)))|(?:has|have|had|we|they|we['’]ve|"
        r"they['’]ve)\s+(?:(?!not\b|never\b)\w+\s+)?ruled\s+(?:\S+\s+){0,2}?out\b|"
        r"not\s+in\s+a\s+position\s+to\b|(?:can['’]?t|cannot|unable\s+to)\s+(?:take\s+(?:this|"
        r"it)\s+on|commit|justify|prioriti[sz]e)\b|thanks?\s+(?:\w+\s+){0,3}?but\s+no\b",
        r"(?:handle|handled|do|manage|managed|cover|covered|solve|solved)\s+(?:this|it|that|"
        r"these|all\s+(?:of\s+)?(?:this|that))\s+(?:\w+\s+)?internally\b",
        r"(?:we|we['’]ve|we\s+have)\s+(?:just\s+|recently\s+|already\s+)?(?:signed|renewed|"
        r"extended)\b",
        # non-native phrasings: "we are not in need of such system", "we have the solution from
        # other supplier already" (not "we tried beacons with another vendor")
        # "we will not be looking at other telematics providers", "I think we'll manage."
        r"(?:will\s+not|won['’]t|are\s+not|aren['’]t|not)\s+(?:be\s+)?looking\s+(?:at|for|into)\s+"
        r"(?:other|another|alternative|any\s+other|new)\b|we['’]ll\s+manage\s*(?:[.!]|$)",
        r"not\s+in\s+(?:\w+\s+)?need\s+of\b|(?:have|has|use|using|get|got|buy|work|working)\s+"
        r"(?:\S+\s+){0,4}?(?:from|with|by)\s+(?:an\s+|the\s+)?(?:other|another|different)\s+"
        r"(?:supplier|vendor|provider|company|partner)\b",
    ),
    interest=(
        r"interest(?:ed|ing)\b|(?:this\s+)?interests\s+(?:me|us)\b",
        # a meeting on Teams ("on Teams is fine", "a Teams call"; not "our field teams", "work in
        # teams of two")
        r"(?:on|via|over)\s+(?:ms\s+|microsoft\s+)?teams\b(?!\s+of\b)|teams\s+(?:is|works|call|meeting|"
        r"link|invite)\b",
        r"sounds\s+(?:good|great|promising|useful|relevant|like\s+something)\b",
        r"let['’]?s\s+(?:talk|chat|meet|set\s+up|schedule|book|do\s+it|connect|have|find|speak|"
        r"discuss|hop)\b",
        r"(?:set\s+up|schedule|book|arrange|have|organi[sz]e|get)\s+(?:a\s+|an\s+|some\s+)?(?:quick\s+"
        r"|short\s+|brief\s+|\d+[\s-]?min(?:ute)?\s+)?(?:call|meeting|demo|time|chat|session|"
        r"walkthrough)\b(?![\s-]+(?:rooms?|spaces?|venues?|cent(?:er|re)s?|notes|minutes)\b)",
        r"(?:happy|glad|keen|open)\s+to\s+(?:talk|chat|meet|hop|jump|learn|take|have|see|hear|"
        r"discuss|explore|look)\b",
        r"(?:would|(?:i|we)['’]d)\s+(?:love|like|be\s+happy|be\s+glad|be\s+keen|be\s+open)\s+to\s+(?:talk|"
        r"chat|hear|learn|see|meet|know|get|have|try|discuss|explore|receive)\b",
        r"tell\s+me\s+more\b|(?:hear|learn)\s+more\b|more\s+(?:info|information|details)\b",
        r"(?:send|share|forward|email)\s+(?:me\s+|us\s+|over\s+)?(?:some\s+|more\s+|your\s+|the\s+|a\s+)?"
        r"(?:info|information|details|pricing|prices|price\s+list|fee|rate\s+card|quote|proposal|deck|"
        r"materials|docs|documentation|spec\s+sheet|specs|datasheet|data\s+sheet|white\s?paper|"
        r"brochure|case\s+stud|references|offer|calendar|link)",
        # (not the writer's own: "please find attached our current price list")
        r"pricing\b|price\s+list\b(?<!\bour\sprice\slist)(?<!\bour\scurrent\sprice\slist)"
        r"(?<!\bour\slatest\sprice\slist)(?<!\bour\snew\sprice\slist)"
        r"(?<!\bour\supdated\sprice\slist)|how\s+much\b|what\s+(?:does|would|will)\s+(?:it|this|"
        r"that)\s+cost\b|(?:a|the)\s+quote\b",
        r"demo\b|trial\b|pilot\b",
        r"(?:please|feel\s+free\s+to|you\s+can|do)\s+(?:contact|call|reach|e-?mail|ring)\s+(?:me|us)\b|"
        r"call\s+me\b|give\s+me\s+a\s+(?:call|ring)\b|ring\s+me\b|my\s+(?:number|phone|mobile)\b",
        rf"(?:free|available|works|suits)\s+(?:on|at|next|this|for|tomorrow|{_DAY})\b|"
        r"(?:works|would\s+work)\s+for\s+(?:me|us)\b|suits\s+(?:me|us)\b|(?:could|can|shall)\s+we\s+do\s+"
        r"(?:a\s+)?(?:quick\s+|short\s+|\d+[\s-]?min(?:ute)?\s+)?(?:call|demo|meeting|chat)\b",
        rf"{_DAY}\s+(?:at|morning|afternoon|works|would\s+work|is\s+(?:good|fine|ok))\b",
        # a slot offered by the clock, as a sentence of its own: "After 13:00 is best.", "10.30
        # works", "Before 9 is better." (not "delivery at 9 is fine")
        r"(?:^|(?<=[.!?]\s))(?:(?:after|before|from|around|at)\s+)?\d{1,2}(?:[:.]\d{2})?\s*"
        r"(?:am|pm)?\s+(?:works|suits|(?:is|would\s+be)\s+(?:best|better|good|fine|ok|ideal|"
        r"perfect))\b",
        # a short yes to our offer of material: "Ok send", "Yes, please send it."
        r"^\s*(?:ok(?:ay)?|yes|sure|fine)[,.!]?\s+(?:please\s+)?send(?:\s+(?:it|them|please))?"
        r"\s*[.!]*\s*$",
        r"calendar\s+(?:link|invite)\b|calendly\b|send\s+(?:me\s+|us\s+)?(?:an?\s+)?(?:\w+\s+)?invit",
        # times asked for, minutes given: "Send me two or three slots", "I'll give you 20
        # minutes" (not "send me fewer emails")
        r"send\s+(?:me|us|over)\s+(?:\S+\s+){0,3}?(?:slots|times|dates|availability|options\s+for\s+"
        r"a\s+call)\b|(?:give|spare)\s+you\s+(?:\d+|a\s+few|ten|fifteen|twenty|thirty|half\s+an)\s*"
        r"(?:-?\s*min(?:ute)?s?|hour)\b",
        r"count\s+(?:me|us)\s+in\b|sign\s+(?:me|us)\s+up\b|worth\s+(?:a\s+(?:look|chat|call|try|"
        r"conversation)|exploring|discussing)\b",
        r"^\s*(?:yes|yep|yeah|sure|absolutely|definitely|certainly)\b",
        r"curious\s+(?:to|about|how|what|whether|if)\b|intrigued\b|(?:keen|eager)\b|(?:right|good|perfect)\s+(?:moment|time)\b|"
        r"(?<!po\s)(?<!order\s)(?<!payment\s)(?<!invoice\s)(?<!booking\s)references?\b(?!\s+"
        r"(?:number|no\b|code|id\b))|sandbox\b|poke\s+(?:at|around)\b|(?:customer|client|user)s?\s+"
        r"(?:\S+\s+){0,4}?(?:i|we)\s+(?:could|can|might)\s+(?:talk|speak|call)\b",
        r"(?:could|might|may|would)\s+be\s+(?:relevant|useful|of\s+interest|a\s+(?:good\s+)?fit|"
        r"helpful|valuable|open)\b",
        r"walk\s+(?:me|us)\s+through\b|show\s+(?:me|us)\b|(?:in|into|on)\s+(?:my|our)\s+calendar"
        r"|(?:put|pencil|grab|find|block)\s+(?:some\s+)?(?:time|\d+\s*min)|timely\b|"
        r"(?:got|have)\s+(?:my|our)\s+attention\b",
        r"(?:could|can|would)\s+you\s+(?:please\s+)?(?:send|share|e-?mail|forward)\s+(?:me|us|over)\b|"
        r"(?:suit|suits|work|works)\s+for\s+you\b|suit\s+you\b|what\s+times?\s+(?:work|suit)",
        r"what\s+(?:does|would)\s+(?:\w+\s+){0,3}look\s+like\b|"
        r"how\s+(?:does|would|do|will)\s+(?:\w+\s+){1,2}?"
        r"work\b|when\s+(?:are|would)\s+you\s+(?:be\s+)?(?:free|available)\b",
        r"sounds?\s+(?:ok|okay|fine|cool|perfect|excellent|neat|reasonable|fair|like\s+a\s+plan)\b|"
        r"(?:that|this|it)(?:['’]d|\s+would)\s+be\s+(?:great|good|helpful|useful|nice|perfect)\b|"
        r"(?:that|this|it)\s+(?:works|suits)\b|fine\s+by\s+(?:me|us)\b|i['’]m\s+in\b(?=\s*(?:[.,!;)]|$))",
        r"(?:send|share|forward|pass)\s+(?:it|that|them|this|those|the\s+\w+|some\s+\w+)?\s*over\b|"
        r"(?:send|share|forward|email)\s+(?:me\s+|us\s+)?(?:the\s+|a\s+|your\s+|some\s+)?"
        r"(?:recording|slides|one[\s-]pager|whitepaper|white\s+paper|video|specs?|spec\s+sheet|"
        r"estimate|numbers|costs|samples?|contract|agreement|terms|examples?|overview|summary)\b",
        r"(?:what(?:['’]s|\s+is|\s+are|\s+would\s+be)|how\s+are)\s+(?:the\s+|your\s+)?"
        r"(?:price|prices|cost|costs|rates?|fees?|pricing|licen[cs]e|terms)\b|estimate\b|"
        r"ballpark\b|cost\s+(?:per|for|of)\b|costs?\s+us\b|(?:budget|price)\s+range\b",
        rf"(?:can|could|would)\s+you\s+do\s+(?:\d|{_DAY}|next|tomorrow|the\s+\d)|"
        rf"how\s+(?:about|does)\s+(?:\d|{_DAY}|next|tomorrow|the\s+\d)|"
        rf"(?:does|would|is)\s+(?:{_DAY}|tomorrow|next\s+week)\s+(?:\w+\s+)?(?:work|suit|ok|good)|"
        r"your\s+availability\b|when\s+(?:can|could|shall)\s+we\b|book\s+(?:a|some|in)\b",
        r"(?:include|add|invite|register|enrol)\s+(?:me|us)\s+(?:in|to|for|on)\b|"
        r"go\s+ahead\b|go\s+for\s+it\b|let['’]?s\s+(?:go(?!\s+(?:through|over)\b)|proceed|try|see|"
        r"get)\b|please\s+proceed\b",
        r"(?<!you\s)(?<!might\s)(?<!may\s)(?<!you)(?:should|could|must|want\s+to|need\s+to|will|"
        r"['’]ll)\s+(?:take\s+a\s+|have\s+a\s+)?(?:closer\s+)?look\s+(?:at|into)\b|"
        r"(?:take|have)\s+a\s+(?:closer\s+)?look\b|"
        r"exactly\s+(?:this|what|the\s+(?:problem|issue|headache|pain))\b|"
        r"(?:could|can)\s+(?:really\s+)?use\s+(?:this|something|help|a)\b|we\s+need\s+(?:this|"
        r"something\s+like|a\s+(?:solution|fix|way))\b|(?:headache|pain\s+point)",
        r"(?:ping|text|ring|reach|phone|call|catch)\s+(?:me|us)\b|give\s+(?:me|us)\s+a\s+"
        r"(?:shout|buzz|bell)\b|drop\s+(?:me|us)\s+a\s+line\b|(?:reach|catch|get)\s+me\s+"
        r"(?:at|on)\b|(?:happy|glad|keen|open|ready|willing)\s+to\s+(?!help\b|assist\b)\w+\b"
        r"(?!\s+(?:you\s+)?(?:my|our)\s+(?:cv|resume|résumé|portfolio|application)\b)",
        r"(?:who|whom)\s+(?:would|should|do)\s+(?:i|we)\s+(?:talk|speak)\s+to\s+about\b|"
        r"next\s+steps?\b|how\s+(?:do|would|can)\s+we\s+(?:start|get\s+started|proceed|begin)\b|"
        r"(?:try|test|trial|pilot)\s+(?:it|this|the\s+\w+)\b|questions\s*:",
        r"(?:don['’]?t|do\s+not)\s+hesitate\b|(?:wouldn['’]?t|would\s+not|don['’]?t)\s+mind\b|"
        r"why\s+not\b|not\s+against\s+(?:a|an|some|the|having\s+a)\s+(?:\w+\s+)?(?:call|meeting|"
        r"demo|chat|trial|pilot|look)\b|placeholder\b|tentative\s+(?:hold|invite|slot|booking)\b",
        r"(?:do|hop\s+on|jump\s+on)\s+(?:a|an)\s+(?:\w+\s+){0,2}?(?:call|meeting|demo|chat)\b|"
        r"send\s+(?:me|us)\s+(?:something|anything)\b|"
        r"i['’]ll\s+bite\b|go\s+on\b|i['’]m\s+(?:all\s+)?(?:listening|ears)\b|(?:run|set)\s+"
        r"(?:us|me)\s+back\b|what\s+would\s+(?:it|this|that)\s+(?:run|cost|set)\b",
        r"how\s+long\s+(?:does|would|will)\s+(?:\w+\s+){0,2}?(?:rollout|roll-out|setup|set-up|"
        r"implementation|onboarding|integration|it\s+take)\b|does\s+(?:it|this|your\s+\w+)\s+"
        r"(?:plug|integrate|work|connect|support|handle|run|sync)\b",
        r"(?:i['’]d|i\s+would|we['’]d|we\s+would|i['’]m|we['’]re|i\s+am|we\s+are)\s+(?:be\s+)?"
        r"(?:\w+\s+)?up\s+for\b|screen[\s-]?share\b|(?:easiest|easier)\s+for\s+(?:me|us)\b",
    ),
    aside=(
        r"(?:don['’]?t|do\s+not|no\s+need\s+to)\s+(?:reply|respond|answer|get\s+back)\s+(?:to\s+)?"
        r"(?:them|these\s+guys|this\s+vendor|this\s+company)\b",
    ),
    behalf=(
        r"on\s+(?:his|her|their|\w+['’]s)\s+behalf\b|on\s+behalf\s+of\b|asked\s+me\s+to\s+"
        r"(?:reply|respond|answer|write\s+back)\b",
    ),
    inline=(
        r"(?:my\s+|our\s+)?(?:answers?|replies|reply|comments?|responses?|notes)\s+(?:are\s+|is\s+)?"
        r"(?:\w+\s+)?(?:below|inline|in[\s-]line|in\s+(?:red|blue|green|bold|caps|capitals|between)|"
        r"between\s+(?:the\s+|your\s+)?(?:lines|text|questions|points))\b",
        r"see\s+(?:my\s+|our\s+)?(?:answers|replies|comments|responses)\b|(?:answering|answered|"
        r"replying|replied|responding|commenting)\s+(?:\w+\s+)?(?:inline|in[\s-]line|below|"
        r"in\s+between|between\s+the\s+lines|point\s+by\s+point)\b",
    ),
    answer_yes=r"yes|yep|yeah|yup|sure|absolutely|definitely|certainly|indeed|of\s+course|very\s+much",
    answer_no=r"no|nope|nah|not\s+(?:at\s+all|really|really\s+no|in\s+the\s+least)|not\s+us|never",
    echo=(
        r"(?:in|about|for|of|on|with)\s+what|what|which|exactly|precisely|really|seriously|huh|eh|"
        r"me|us",
    ),
    busy=(
        r"(?:i['’]m|i\s+am|i\s+was|i['’]ll\s+be|i\s+will\s+be)\s+(?:(?:still|just|currently|now|"
        r"stuck|sitting|tied\s+up|busy|already|back|running|heading|off|going|about\s+to\s+go)\s+){0,2}?"
        r"(?:in|into|between|to)\s+"
        r"(?:a\s+|an\s+|another\s+|back[\s-]to[\s-]back\s+)?(?:\w+\s+)?(?:meetings?|calls?)\b",
        r"(?:my|the)\s+(?:\w+\s+)?(?:meeting|call)\s+(?:is\s+|was\s+)?(?:running|ran|went|going|"
        r"overran|dragging|dragged)\s+(?:late|over|long|on)\b",
        r"i\s+(?:have|had|['’]ve\s+got|got)\s+(?:a|an|another)\s+(?:\w+\s+)?(?:meeting|call)\s+"
        r"(?:at|until|till|from|now|right\s+now|running)\b",
    ),
    undecided=(
        # "Let me chew on it over the holidays", "I'll sleep on it", "need to mull this over"
        r"(?:let\s+me|let['’]?s|i['’]ll|i\s+will|i\s+need\s+to|i\s+have\s+to|need\s+to|we['’]ll|"
        r"we\s+will|we\s+need\s+to|gotta|have\s+to)\s+(?:\w+\s+)?(?:think|chew|mull|sleep|"
        r"ponder)\s+(?:(?:it|this|that)\s+over|(?:on|about|over)\s+(?:it|this|that))\b|"
        r"(?:have|take)\s+a\s+think\b|give\s+me\s+(?:some\s+)?time\s+to\s+think\b|we['’]ll\s+see\b",
        # "Maybe." as a sentence of its own: "Hmm. Maybe. Pallets are a headache for sure"
        r"(?:^|(?<=[.!?]\s))(?:hmm+[,.]?\s+)?maybe\s*(?:[.!…]+|$)",
    ),
    deferral=(
        # "If anything changes on our side, happy to pick this up", "should that change"
        # (not "to see if our process should change": a situation, named, changes)
        r"(?<!see\s)(?<!know\s)(?:if|should|in\s+case|once|when)\s+(?:(?:anything|something|that|"
        r"this|it|things|circumstances|plans|(?:the|our|my)\s+(?:situation|plans|needs|priorities|"
        r"circumstances|budget))\s+)(?:ever\s+|does\s+|do\s+|should\s+)?change[sd]?\b|"
        r"should\s+(?:that|this|anything|things|(?:the|our|my)\s+\w+)\s+change\b|"
        r"if\s+(?:the\s+|a\s+)?need\s+(?:ever\s+)?(?:arises|comes\s+up)\b",
    ),
    spam_place=(
        r"(?:in|into|to|from|out\s+of|through|past|under)\s+(?:(?:my|our|the|a|your)\s+)?"
        r"(?:\w+\s+)?(?:spam|junk)(?:\s*-?\s*(?:folder|filter|box|bin|quarantine|mail))?\b",
        r"(?:spam|junk)\s*-?\s*(?:folder|filter|box|bin|quarantine|check(?:er)?)s?\b",
        r"(?:landed|ended\s+up|went|got\s+caught|was\s+caught|caught|found\s+(?:it|this|you))\s+"
        r"(?:\S+\s+){0,3}?(?:spam|junk)\b",
    ),
    standing=(
        r"urgent|emergenc|limited\s+access|(?:will|shall)\s+(?:reply|respond|get\s+back|answer|"
        r"return\s+your|be\s+back)|(?:on|upon)\s+my\s+return|when\s+i\s+(?:return|get\s+back|am\s+back)|"
        r"in\s+my\s+absence|(?:you\s+can|feel\s+free\s+to)\s+(?:reach|call|contact|text)|my\s+"
        r"(?:mobile|cell)|automatic|auto-?reply|out\s+of\s+office\s+(?:reply|message)|\booo\b|"
        r"(?:can\s?not|can['’]?t)\s+wait|if\s+(?:needed|necessary|urgent)",
    ),
    negation=r"not|never|no|nor|neither|without|(?:(?<!\w)\w+n['’]t)(?<!can['’]t)(?<!cannot)|cannot",
)
