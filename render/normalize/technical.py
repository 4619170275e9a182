"""The field's own written forms: file paths, command-line flags, letter grades ("B-tier"),
numbered identifiers ("RFC 8305", "port 8080") and letters-and-digits names ("EC2").

Each reading is the one engineers say aloud, and one reading is used everywhere, so both
voices say a path the same way (the issue 24 set: ``tests/normalize/data/field.tsv``).
"""

from __future__ import annotations

import re

from render.normalize import numbers as n
from render.normalize.acronyms import pronounceable
from render.normalize.lexicon import LETTER_NAMES, spell
from render.normalize.tokens import Rule

# /sys/kernel/debug/tracing/trace_pipe, ~/.kube/config, ./bin/run: two or more segments
_PATH = re.compile(r"(?<![\w/.:~])(?P<p>(?:~|\.{1,2})?(?:/[\w.@+-]+){2,}/?|(?:~|\.{1,2})/[\w.@+-]+(?:/[\w.@+-]+)*/?)"
                   r"(?<![.,;:!?])")
_FLAG = re.compile(r"(?<![\w-])--(?P<f>[a-z][a-z0-9]*(?:-[a-z0-9]+)*)\b")
# "B-tier", "S-tier", "A-list", "T-shirt": one capital letter, a hyphen, a word
_LETTER_WORD = re.compile(r"(?<![\w-])(?P<l>[A-Z])-(?P<w>[a-z]{2,})\b")
# the number after these is an identifier, said as people say years and ports: "eighty-three oh five"
_ID_WORDS = (r"RFC|RFCs|ISO|PEP|KEP|JSR|CVE|port|ports|Port|issue|Issue|PR|pull request|model|Model|build|Build"
             r"|AES|SHA|RSA")
_ID_NUMBER = re.compile(rf"\b(?P<k>{_ID_WORDS})\s(?P<d>\d{{3,5}})(?!\w|[.,]\d)")
# "open 443 and 80", "listening on 8080 and 8443": well-known ports after a word about ports,
# without the word "port" itself, said as ports are ("four forty-three"); not "on 443 nodes"
_WELL_KNOWN_PORTS = {"443", "8443", "6443", "8080", "8000", "8888", "3000", "5000", "5432", "3306", "6379",
                     "9090", "9093", "9100", "9200", "10250", "2379", "2380", "27017", "1433", "5672", "9092",
                     "4317", "4318", "15672"}
_PORT_LIST = re.compile(r"\b(?P<k>[Pp]orts?|[Oo]pen|opens|opened|on|listens?|listening|expos(?:e|es|ed)|TCP|UDP|HTTPS|"
                        r"TLS|binds?|forward(?:s|ed)?)\s(?P<l>\d{2,5}(?:(?:,\s|\s(?:and|or)\s|/)\d{2,5})*)"
                        r"(?=\s*(?:[.,;:!?)]|$)|\s(?:and|or|to|for|in|on|with|is|are|was|but|so|then|from|at|by|"
                        r"only|first|instead|inside|as|behind|open|closed)\b)"
                        r"|(?<![\w/.])(?P<s>\d{2,5}(?:/\d{2,5})+)(?![\w/.])")  # "80/443": ports wherever they stand
# +1 (555) 123-4567, 555-123-4567: a phone number, digit by digit in its groups
_PHONE = re.compile(r"(?<![\w.+-])(?:\+(?P<cc>\d{1,3})[\s.-]?)?(?:\((?P<a1>\d{3})\)\s?|(?P<a2>\d{3})(?P<sep>[.-]))"
                    r"(?P<b>\d{3})(?(sep)(?P=sep)|[.-])(?P<c>\d{4})(?![\w-]|\.\d)")
# CVE-2024-3094: "CVE twenty twenty-four thirty ninety-four"
_CVE = re.compile(r"\b(?P<k>CVE|GHSA)-(?P<y>\d{4})-(?P<d>\d{4,7})\b")
# PCI-DSS, GPT-4, SHA-256, RFC-9110, UTF-8: an acronym joined to another or to a number is said as two words
_CAPS_JOINED = re.compile(r"(?<![\w-])(?P<a>[A-Z][A-Z0-9]{2,5})-(?=\d|[A-Z]{3,}(?![a-z]))")
# sha256, SHA-512, md5: a hash's name and its size
_HASH_NAME = re.compile(r"(?<![\w-])(?P<k>sha|SHA|md|MD)-?(?P<d>\d{1,3})\b")
# FIPS 140-2, NIST SP 800-53, IEC 62443-3: a standard's number and its part
_STANDARD = re.compile(r"\b(?P<k>FIPS|SP|IEC|ISO|NIST|PCI DSS|IEEE)\s(?P<a>\d{2,5})-(?P<b>\d{1,3})\b")
# SOC 2 Type II, Phase III: a Roman numeral after a label is a number
_ROMAN_LABEL = (r"Type|Phase|Part|Tier|Level|Stage|Class|Category|Chapter|Act|Season|Step|Volume|Vol\.|Gen|"
                r"Generation|World War")
_ROMAN_VALUES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}  # not X: "Gen X"
_ROMAN = re.compile(rf"\b(?P<k>{_ROMAN_LABEL})\s(?P<r>{'|'.join(sorted(_ROMAN_VALUES, key=len, reverse=True))})"
                    r"(?![\w'-])")
# 10.0.0.12, 192.168.1.0/24, 0.0.0.0/0: "ten dot zero dot zero dot twelve", "slash twenty-four"
_IPV4 = re.compile(r"(?<![\w.])(?P<ip>(?:\d{1,3}\.){3}\d{1,3})(?:/(?P<p>\d{1,2}))?(?!\w|\.\d|/)")
# 2001:db8::1, fe80::1: an IPv6 address, group by group ("twenty oh one colon D-B eight colon colon one")
_IPV6 = re.compile(r"(?<![\w:])(?P<ip>(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4})(?![\w:])")
# localhost:8080, redis:6379, "sends to :4317": a port after a host (or alone), said as ports are
_HOST_PORT = re.compile(r"(?:(?<![\w.:/-])(?P<h>[a-z][\w-]*)|(?<![\w:]))(?<!\d):(?P<d>\d{2,5})"
                        r"(?P<path>(?:/[\w.-]*\w)+)?(?![\w:]|\.\d)")
# "a /24", "/16 subnets": a network prefix alone
_PREFIX = re.compile(r"(?<![\w/.])/(?P<p>\d{1,2})\b(?![/.]\w)")
# 5xx, 4xx: a class of HTTP statuses
_STATUS_CLASS = re.compile(r"(?<![\w.])(?P<d>[1-5])xx\b")
# a 404, HTTP 503, 429 errors: a status code, said as people say it ("four oh four")
_STATUSES = "200|201|202|204|301|302|304|307|308|400|401|403|404|405|408|409|410|413|418|422|429|499|500|502|503|504"
_STATUS = re.compile(rf"(?<![\w.$])(?P<d>{_STATUSES})(?P<pl>s)?(?![\w%$]|[.,]\d)")
_STATUS_BEFORE = re.compile(r"\b(?:HTTP|http|status|code|returns?|returned|returning|got|throws?|throwing)\s$")
_STATUS_ARTICLE = re.compile(r"\b(?:[Aa]|[Aa]n|[Tt]he|every|any)\s$")  # "a 404 is …", not "a 404 GB disk"
_STATUS_AFTER = re.compile(r"\s(?:errors?|responses?|status|statuses|codes?|pages?)\b")
_STATUS_END = re.compile(r"\s*(?:[.,;:!?)]|$)|\s(?:is|was|means|meant|from|when|or|and|on|in|for|at|after|if)\b")
# m5.large, c6g.2xlarge, t3.micro, db.r6g.large, trn2.48xlarge: a cloud instance type
_INSTANCE = re.compile(r"(?<![\w.])(?:(?P<pre>db|cache)\.)?(?P<f>[a-z]{1,4}\d[a-z-]*)\.(?P<n>\d{0,2})"
                       r"(?P<s>nano|micro|small|medium|large|xlarge|metal)\b")
# 1g.10gb, 3g.40gb: a GPU slice's profile, numbers and letters joined by dots ("one G dot ten G-B")
_DOTTED_SIZES = re.compile(r"(?<![\w.])(?P<t>\d+[a-z]{1,3}(?:\.\d+[a-z]{1,3})+)(?![\w]|\.\w)")
# node(s), match(es): an optional plural is read as the plural, as people read it aloud
_OPTIONAL_PLURAL = re.compile(r"(?<=[a-z])\((?P<s>e?s)\)(?!\w)")
# -o yaml, get pods -A, rm -rf: a short flag after a space
_SHORT_FLAG = re.compile(r"(?<=\s)-(?P<f>[a-zA-Z]{1,2})(?=\s|[.,;:!?]?$|[.,;:!?]\s)")  # "apply -f", "apply -f."
# terraform show -json, apply -auto-approve: a long flag with one dash, after a command's word
_LONG_FLAG = re.compile(r"(?<=[a-z] )-(?P<f>[a-z]{3,}(?:-[a-z0-9]+)*)(?=[\s,;:!?)]|\.?$|\.\s)")
# i-0a3f9c, sg-0123abcd, vpc-0f1e: a cloud resource's ID, its kind then its hex characters
_RESOURCE_ID = re.compile(r"(?<![\w-])(?P<k>i|sg|vpc|subnet|ami|vol|snap|eni|igw|rtb|acl|eipalloc|lt|pcx|tgw|nat)"
                          r"-(?P<h>(?=[0-9a-f]*\d)[0-9a-f]{4,17})\b")
_RESOURCE_KINDS = {"i": "I", "sg": "S-G", "vpc": "V-P-C", "subnet": "subnet", "ami": "A-M-I", "vol": "vol",
                   "snap": "snap", "eni": "E-N-I", "igw": "I-G-W", "rtb": "R-T-B", "acl": "A-C-L",
                   "eipalloc": "E-I-P alloc", "lt": "L-T", "pcx": "P-C-X", "tgw": "T-G-W", "nat": "NAT"}
# PCIe x8, an x16 slot: a link's width in lanes, "by sixteen"; only where the sentence is about links
_LANES = re.compile(r"(?<![\w.])x(?P<n>1|2|4|8|16|32)\b(?!\.\d)")
_LANES_CONTEXT = re.compile(r"\b(?:PCIe|PCI|NVMe|lanes?|slots?|links?|Gen\s?[3-6]|riser)\b")
# EC2, G5, MI300X: letters then digits; a run of capitals that is no word is spelled
_LETTERS_DIGITS = re.compile(r"(?<![\w.$-])(?P<w>[A-Z]{2,4})(?P<d>\d{1,3})(?![\w.]|\.\d)")
# us-east-1, eu-west-2, ap-southeast-1, us-central1, europe-west4: a cloud region
_REGION_GEO = {"us": "U-S", "eu": "E-U", "ap": "A-P", "sa": "S-A", "ca": "C-A", "me": "M-E", "af": "A-F",
               "il": "I-L", "cn": "C-N", "mx": "M-X"}
_REGION_RE = (r"(?P<g>us|eu|ap|sa|ca|me|af|il|cn|mx|europe|asia|australia|northamerica|southamerica|africa)-"
              r"(?P<d>(?:north|south)?(?:east|west|central)|north|south)-?(?P<n>\d{1,2})")
_REGION = re.compile(rf"(?<![\w.-]){_REGION_RE}(?![\w-])")
_REGION_PART = re.compile(_REGION_RE)  # one part of a host name: "us-east-1.compute.internal"
# api.stripe.com, svc.cluster.local, _grpc._tcp.orders.svc.cluster.local: a host name, part by part
_TLDS = ("com|io|org|net|dev|local|internal|cloud|ai|app|sh|co|us|uk|de|eu|gov|edu|example|test|svc|amazonaws|"
         "be|gg|fm|tv|me|ly|so|xyz|tech|info|ca|fr|nl|in|jp")  # youtu.be, discord.gg, podcast hosts' .fm
# web addresses, and any other scheme's ("s3://bucket/logs/", "oci://…", "spiffe://…", "redis://…")
_URL = re.compile(r"\b(?:https?://|www\.|[a-z][a-z0-9+.-]{1,15}://)[^\s<>()]+[^\s<>().,;:!?'\"]")
_SCHEME_SAID = {"s3": "S-three", "gs": "G-S", "az": "A-Z", "oci": "O-C-I", "ssh": "S-S-H", "hdfs": "H-D-F-S",
                "abfs": "A-B-F-S", "abfss": "A-B-F-S-S", "git": "git", "file": "file", "spiffe": "spiffy"}
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# nvidia.com/gpu, github.com/org/repo: a host and its path, "nvidia dot com slash G-P-U"
_HOST = re.compile(rf"(?<![\w.@/-])(?P<h>[A-Za-z0-9_][\w-]*(?:\.[\w-]+)*\.(?:{_TLDS}))(?![\w-]|\.\w)"
                   r"(?P<path>(?:/[A-Za-z0-9_-]+)+)?/?")  # a closing slash is not said
# resolv.conf, values.yaml, main.go: a file's name, said with "dot"
_FILE = re.compile(r"(?<![\w./@-])(?P<name>[A-Za-z_][\w-]*)\.(?P<ext>conf|yaml|yml|json|toml|ini|cfg|txt|md|mdx|py|go|"
                   r"rs|sh|env|lock|sum|mod|tf|tfvars|log|csv|xml|html|js|ts|proto|sql|service|socket|pem|crt|key|cpp|c|h)(?![\w-]|\.\w)")
# spec.replicas, metadata.labels, os.path.join: a dotted name in code, said with "dot"
_DOTTED = re.compile(r"(?<![\w./@:-])(?P<id>[a-z][a-zA-Z0-9_]+(?:\.[a-z_][a-zA-Z0-9_]+)+)(?![\w]|\.\w)")
_HOST_SAID = {"io": "I-O", "ai": "A-I", "us": "U-S", "uk": "U-K", "eu": "E-U", "sh": "S-H", "de": "D-E",
              "api": "A-P-I", "aws": "A-W-S", "gcp": "G-C-P", "rds": "R-D-S", "dns": "D-N-S", "cdn": "C-D-N",
              "www": "W-W-W", "db": "D-B", "ecr": "E-C-R", "elb": "E-L-B", "gpu": "G-P-U", "cpu": "C-P-U",
              "tpu": "T-P-U"}


# A folder both voices read as a word that is not its name: espeak-ng says "etc" "et cetera"
# (Piper's "/etc/hosts" was heard "at Secur slash hosts"); "E-T-C" is heard as written by both.
_PATH_SAID = {"etc": "E-T-C"}
_SEPARATORS_SAID = {".": "dot", "_": "underscore", "@": "at", "+": "plus", ":": "colon", "-": "dash"}
_QUERY_SAID = {**_SEPARATORS_SAID, "=": "equals", "&": "and"}


def _region(m: re.Match[str]) -> str:
    return f"{_REGION_GEO.get(m['g'], m['g'])} {m['d']} {n.cardinal(int(m['n']))}"


def _letters_unless_vowel(word: str) -> str:
    """A lowercase name with no vowel ("svc", "cpp") spelled, as engineers say it: "S-V-C"."""
    return word if re.search(r"[aeiouy]", word, re.I) else spell(word)


def _host_part(part: str) -> str:
    region = _REGION_PART.fullmatch(part)
    return _region(region) if region else _segment(part, numbers=True)


def _address(host: str, path: str) -> str:
    """A host name, its port and its path, the one way every address is said, with a scheme
    or without ("https://api.github.com/v1" and "api.github.com/v1" alike)."""
    host, _, port = host.partition(":")
    said = " dot ".join(_host_part(p) for p in host.split(".") if p)
    if port.isdigit():
        said += " colon " + _short_id(port)
    return said + _path_words(path)


def _path_words(path: str) -> str:
    """An address's path after its host or port, "/v1/repos": " slash v1 slash repos"."""
    return "".join(f" slash {_segment(p)}" for p in path.rstrip("/").split("/")[1:])


def _host(m: re.Match[str]) -> str:
    return _address(m["h"], m["path"] or "")


def _url(m: re.Match[str]) -> str:
    url = re.sub(r"^https?://", "", m.group(0))
    head = ""
    if scheme := re.match(r"([\w+.-]+)://", url):  # "s3://my-bucket": the scheme as a word, then the address
        url = url[scheme.end():]
        head = (_SCHEME_SAID.get(scheme[1].lower()) or _segment(scheme[1])) + " "
    url, _, query = url.partition("?")
    host, slash, path = url.partition("/")
    said = head + _address(host, slash + path)
    return said + (" " + _query(query) if query else "")


def _query(query: str) -> str:
    """A URL's query, "?utm_source=x&ref=y": its keys and values, "utm underscore source equals x"."""
    return re.sub(r"[=&_.-]", lambda c: f" {_QUERY_SAID[c.group(0)]} ", query)


def _email(m: re.Match[str]) -> str:
    user, _, host = m.group(0).partition("@")
    return f"{_segment(user)} at {_address(host, '')}"


def _file(m: re.Match[str]) -> str:
    return f"{m['name']} dot {_letters_unless_vowel(m['ext'])}"  # "llama dot C-P-P"


def _segment(segment: str, numbers: bool = False) -> str:
    """One part of a path or an address, "trace_pipe" "trace underscore pipe", the same in a
    folder, a URL, a host's name and its path: a word engineers spell is spelled ("api",
    "svc"), a folder both voices misread is said as people say it, and a host's numbers are
    said here (a path's are left to the number rules, "v1" is a version)."""
    if segment in _PATH_SAID:
        return _PATH_SAID[segment]

    def piece(p: str) -> str:
        if p in _SEPARATORS_SAID:
            return _SEPARATORS_SAID[p]
        if p.lower() in _HOST_SAID:
            return _HOST_SAID[p.lower()]
        if p.isdigit() and numbers:
            return n.cardinal(int(p))
        return _letters_unless_vowel(p) if p.isalpha() else p

    return " ".join(piece(p) for p in re.split(r"([._@+:-])", segment) if p)


def _path(m: re.Match[str]) -> str:
    p = m["p"]
    head = {"~": "home ", ".": "dot ", "..": "dot dot "}.get(p.split("/", 1)[0], "")
    segments = [s for s in p.split("/")[1:]]
    return " " + head + " ".join(f"slash {_segment(s)}" if s else "slash" for s in segments).strip() + " "


def _dotted(m: re.Match[str]) -> str:
    return m["id"].replace(".", " dot ")


def _flag(m: re.Match[str]) -> str:
    return "dash " + _long_flag(m)


def _letter_word(m: re.Match[str]) -> str:
    return f"{LETTER_NAMES[m['l']]} {m['w']}"


def identifier_number(digits: str) -> str:
    """A 3–5 digit identifier as it is said: 8305 "eighty-three oh five", 793 "seven
    ninety-three", 8080 "eighty eighty", 30080 digit by digit."""
    value = int(digits)
    if len(digits) == 4 and not digits.startswith("0"):
        return n.year(value)
    if len(digits) == 3 and not digits.startswith("0"):
        tail = int(digits[1:])
        return f"{n.cardinal(int(digits[0]))} " + (n.cardinal(tail) if tail >= 10 else
                                                  ("hundred" if tail == 0 else f"oh {n.cardinal(tail)}"))
    return n.digits(digits)


def _port_list(m: re.Match[str]) -> str:
    listed = m["l"] or m["s"]
    if not any(d in _WELL_KNOWN_PORTS for d in re.findall(r"\d+", listed)):
        return m.group(0)
    said = re.sub(r"\d+", lambda d: _short_id(d[0]), listed)
    return (f"{m['k']} " if m["k"] else "") + said.replace("/", " and ")


def _id_number(m: re.Match[str]) -> str:
    d = m["d"]
    if m["k"] == "ISO" and d.endswith("001"):
        return f"ISO {n.cardinal(int(d))}"  # "ISO nine thousand one", "twenty-seven thousand one"
    return f"{m['k']} {identifier_number(d)}"


def _phone(m: re.Match[str]) -> str:
    groups = [m["a1"] or m["a2"], m["b"], m["c"]]
    said = ", ".join(n.digits(g) for g in groups)
    return (f"plus {n.digits(m['cc'])}, " if m["cc"] else "") + said


def _cve(m: re.Match[str]) -> str:
    return f"{m['k']} {n.year(int(m['y']))} {identifier_number(m['d'])}"


def _hash_name(m: re.Match[str]) -> str:
    return f"{m['k'].upper()} {_short_id(m['d'])}"


def _standard(m: re.Match[str]) -> str:
    return f"{m['k']} {identifier_number(m['a'])} dash {n.cardinal(int(m['b']))}"


def _caps_joined(m: re.Match[str]) -> str:
    return m["a"] + " "


def _roman(m: re.Match[str]) -> str:
    return f"{m['k']} {n.cardinal(_ROMAN_VALUES[m['r']])}"


def _short_id(digits: str) -> str:
    """A number that names something (an IP's octet, a hash's size, a port in a list): "one
    ninety-two", "two fifty-six", "sixteen", "eighty eighty"; under three digits a plain number."""
    return identifier_number(digits) if len(digits) >= 3 else n.cardinal(int(digits))


def _ipv4(m: re.Match[str]) -> str:
    said = " dot ".join(_short_id(o) for o in m["ip"].split("."))
    return said + (f" slash {n.cardinal(int(m['p']))}" if m["p"] else "")


def _ipv6(m: re.Match[str]) -> str:
    ip = m["ip"]
    if not ("::" in ip or ip.count(":") >= 3) or not re.search(r"\d", ip):
        return ip  # "10:30:00" is a time
    def group(g: str) -> str:
        if g.isdigit():
            return _short_id(g)
        return " ".join(spell(run) if run.isalpha() else n.cardinal(int(run))
                        for run in re.findall(r"[a-fA-F]+|\d+", g))
    return " " + " colon ".join(group(g) for g in ip.split(":")) + " "


def _host_port(m: re.Match[str]) -> str:
    if m["h"]:
        return _address(f"{m['h']}:{m['d']}", m["path"] or "")
    return f"port {_short_id(m['d'])}" + _path_words(m["path"] or "")


def _prefix(m: re.Match[str]) -> str:
    return f"slash {n.cardinal(int(m['p']))}"


def _status_class(m: re.Match[str]) -> str:
    return f"{n.cardinal(int(m['d']))} x x"


def _status(m: re.Match[str]) -> str:
    head, tail = m.string[:m.start()], m.string[m.end():]
    if m["pl"]:  # "503s", "the 429s": statuses counted; a number of seconds would be written "503 s"
        return n.plural(identifier_number(m["d"]))
    if (_STATUS_BEFORE.search(head) or _STATUS_AFTER.match(tail)
            or (_STATUS_ARTICLE.search(head) and _STATUS_END.match(tail))):
        return identifier_number(m["d"])
    return m.group(0)


def _instance(m: re.Match[str]) -> str:
    family = re.sub(r"(?<=\D)(?=\d)|(?<=\d)(?=\D)", " ", m["f"]).replace("-", " ")
    family = " ".join(" ".join(p) if p.isalpha() else n.cardinal(int(p)) for p in family.split())
    size = m["s"].replace("xlarge", "x large")
    pre = {"db": "D-B ", "cache": "cache "}.get(m["pre"] or "", "")
    return f"{pre}{family} {n.cardinal(int(m['n'])) + ' ' if m['n'] else ''}{size}"


def _dotted_sizes(m: re.Match[str]) -> str:
    return " dot ".join(f"{n.cardinal(int(d))} {spell(w)}" for d, w in re.findall(r"(\d+)([a-z]+)", m["t"]))


def _short_flag(m: re.Match[str]) -> str:
    return "dash " + " ".join(m["f"])


def _long_flag(m: re.Match[str]) -> str:
    return "dash " + m["f"].replace("-", " dash ")  # "-auto-approve"; "--no-verify" is this after one more dash


def _resource_id(m: re.Match[str]) -> str:
    chars = " ".join(n.cardinal(int(c)) if c.isdigit() else c.upper() for c in m["h"])
    return f"{_RESOURCE_KINDS[m['k']]} dash {chars}"


def _lanes(m: re.Match[str]) -> str:
    return f"by {n.cardinal(int(m['n']))}" if _LANES_CONTEXT.search(m.string) else m.group(0)


def _letters_digits(m: re.Match[str]) -> str:
    w, number = m["w"], n.cardinal(int(m["d"]))
    return f"{w} {number}" if pronounceable(w) else "-".join(w) + f" {number}"  # "E-C two": heard "EC2"


RULES: list[Rule] = [
    Rule("url", _URL, _url),
    Rule("email", _EMAIL, _email),
    Rule("optional-plural", _OPTIONAL_PLURAL, lambda m: m["s"]),
    Rule("telephone", _PHONE, _phone),
    Rule("cve", _CVE, _cve),
    Rule("hash-name", _HASH_NAME, _hash_name),
    Rule("standard", _STANDARD, _standard),
    Rule("caps-joined", _CAPS_JOINED, _caps_joined),
    Rule("roman-label", _ROMAN, _roman),
    Rule("ipv4", _IPV4, _ipv4),
    Rule("ipv6", _IPV6, _ipv6),
    Rule("resource-id", _RESOURCE_ID, _resource_id),
    Rule("pcie-lanes", _LANES, _lanes),
    Rule("instance-type", _INSTANCE, _instance),
    Rule("dotted-sizes", _DOTTED_SIZES, _dotted_sizes),
    Rule("path", _PATH, _path),
    Rule("region", _REGION, _region),
    Rule("host", _HOST, _host),
    Rule("host-port", _HOST_PORT, _host_port),
    Rule("file", _FILE, _file),
    Rule("dotted-name", _DOTTED, _dotted),
    Rule("prefix", _PREFIX, _prefix),
    Rule("flag", _FLAG, _flag),
    Rule("short-flag", _SHORT_FLAG, _short_flag),
    Rule("long-flag", _LONG_FLAG, _long_flag),
    Rule("status-class", _STATUS_CLASS, _status_class),
    Rule("status", _STATUS, _status),
    Rule("letter-word", _LETTER_WORD, _letter_word),
    Rule("port-list", _PORT_LIST, _port_list),
    Rule("identifier-number", _ID_NUMBER, _id_number),
    Rule("letters-digits", _LETTERS_DIGITS, _letters_digits),
]
