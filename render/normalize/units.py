"""Unit, currency and calendar vocabularies for the normalizer."""

from __future__ import annotations

# symbol → (singular, plural). Case matters: MB is bytes, Mb is bits, m is metres.
UNITS: dict[str, tuple[str, str]] = {
    "ms": ("millisecond", "milliseconds"), "µs": ("microsecond", "microseconds"),
    "us": ("microsecond", "microseconds"), "ns": ("nanosecond", "nanoseconds"),
    "s": ("second", "seconds"), "sec": ("second", "seconds"), "secs": ("second", "seconds"),
    "min": ("minute", "minutes"), "mins": ("minute", "minutes"),
    "h": ("hour", "hours"), "hr": ("hour", "hours"), "hrs": ("hour", "hours"),
    "yr": ("year", "years"), "yrs": ("year", "years"), "wk": ("week", "weeks"), "wks": ("week", "weeks"),
    "mo": ("month", "months"), "mos": ("month", "months"),
    "KB": ("kilobyte", "kilobytes"), "kB": ("kilobyte", "kilobytes"),
    "MB": ("megabyte", "megabytes"), "GB": ("gigabyte", "gigabytes"),
    "TB": ("terabyte", "terabytes"), "PB": ("petabyte", "petabytes"),
    "EB": ("exabyte", "exabytes"), "KiB": ("kibibyte", "kibibytes"),
    "MiB": ("mebibyte", "mebibytes"), "GiB": ("gibibyte", "gibibytes"),
    "TiB": ("tebibyte", "tebibytes"), "Kb": ("kilobit", "kilobits"),
    "Mb": ("megabit", "megabits"), "Gb": ("gigabit", "gigabits"), "Tb": ("terabit", "terabits"),
    "kbps": ("kilobit per second", "kilobits per second"),
    "Kbps": ("kilobit per second", "kilobits per second"),
    "mbps": ("megabit per second", "megabits per second"),
    "Mbps": ("megabit per second", "megabits per second"),
    "Gbps": ("gigabit per second", "gigabits per second"),
    "gbps": ("gigabit per second", "gigabits per second"),
    "Tbps": ("terabit per second", "terabits per second"),
    "Hz": ("hertz", "hertz"), "kHz": ("kilohertz", "kilohertz"), "khz": ("kilohertz", "kilohertz"),
    "MHz": ("megahertz", "megahertz"), "GHz": ("gigahertz", "gigahertz"),
    "W": ("watt", "watts"), "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "V": ("volt", "volts"), "mA": ("milliampere", "milliamperes"),
    "mm": ("millimeter", "millimeters"), "cm": ("centimeter", "centimeters"),
    "m": ("meter", "meters"), "km": ("kilometer", "kilometers"), "mi": ("mile", "miles"),
    "ft": ("foot", "feet"), "yd": ("yard", "yards"),
    "mg": ("milligram", "milligrams"), "g": ("gram", "grams"), "kg": ("kilogram", "kilograms"),
    "KG": ("kilogram", "kilograms"), "Kg": ("kilogram", "kilograms"),
    "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"), "oz": ("ounce", "ounces"),
    "ml": ("milliliter", "milliliters"), "mL": ("milliliter", "milliliters"),
    "l": ("liter", "liters"), "L": ("liter", "liters"),
    "mph": ("mile per hour", "miles per hour"), "kph": ("kilometer per hour", "kilometers per hour"),
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "fps": ("frame per second", "frames per second"),
    "rps": ("request per second", "requests per second"),
    "qps": ("query per second", "queries per second"),
    "rpm": ("revolution per minute", "revolutions per minute"),
    "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"), "m2": ("square meter", "square meters"),
    "km2": ("square kilometer", "square kilometers"), "m²": ("square meter", "square meters"),
    "km²": ("square kilometer", "square kilometers"), "cm²": ("square centimeter", "square centimeters"),
    "m³": ("cubic meter", "cubic meters"), "km³": ("cubic kilometer", "cubic kilometers"),
    "cm³": ("cubic centimeter", "cubic centimeters"), "º": ("degree", "degrees"), "ha": ("hectare", "hectares"),
    "cc": ("CC", "CC"),
    # Kubernetes quantities: "512Mi", "2Gi" are said "megabytes", "gigabytes", as engineers say
    # them aloud ("five-twelve megs"); "mebibyte" was heard "jibby", "JB", "jibberbites" from both
    # voices (2026-12-07), and a script that means the binary unit writes MiB, GiB
    "Ki": ("kilobyte", "kilobytes"), "Mi": ("megabyte", "megabytes"), "Gi": ("gigabyte", "gigabytes"),
    "Ti": ("terabyte", "terabytes"), "tbsp": ("tablespoon", "tablespoons"), "tsp": ("teaspoon", "teaspoons"),
}

# Units that are said before their noun with a hyphen ("a 10-GB disk", "a 100-ms budget",
# "a six-ft cable"): two letters or more, and none that is also a word ("us", "ha", "mi").
HYPHEN_UNITS = {u for u in UNITS if len(u) >= 2 and u.isascii() and u not in {"us", "ha", "mi", "cc", "Mi"}}

# "tok/s", "requests/s", "events/day": a count's word before a slash and a period; some are
# said in full ("tok" is no word)
PER_WORD: dict[str, str] = {"tok": "tokens", "toks": "tokens", "req": "requests", "reqs": "requests",
                            "msg": "messages", "msgs": "messages", "evt": "events", "evts": "events"}

# Denominators after a slash: "per day" for measures, "a day" for money.
PER: dict[str, str] = {
    "s": "second", "sec": "second", "second": "second", "ms": "millisecond",
    "min": "minute", "minute": "minute", "h": "hour", "hr": "hour", "hour": "hour",
    "day": "day", "d": "day", "wk": "week", "week": "week", "mo": "month",
    "month": "month", "yr": "year", "year": "year", "night": "night", "user": "user",
    "seat": "seat", "core": "core", "node": "node", "GB": "gigabyte", "TB": "terabyte",
    "kg": "kilogram", "unit": "unit", "person": "person", "head": "head",
}

CURRENCIES: dict[str, tuple[str, str]] = {
    "$": ("dollar", "dollars"), "US$": ("dollar", "dollars"), "€": ("euro", "euros"),
    "£": ("pound", "pounds"), "¥": ("yen", "yen"), "₩": ("won", "won"),
    "₹": ("rupee", "rupees"), "₽": ("ruble", "rubles"), "₿": ("bitcoin", "bitcoin"),
}
SUBUNITS: dict[str, tuple[str, str]] = {
    "$": ("cent", "cents"), "US$": ("cent", "cents"), "€": ("cent", "cents"),
    "£": ("penny", "pence"), "₹": ("paisa", "paise"),
}

MONTHS: dict[str, str] = {}
for _i, _name in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August",
     "September", "October", "November", "December"], 1):
    MONTHS[_name.lower()] = _name
    MONTHS[_name[:3].lower()] = _name
MONTHS["sept"] = "September"
MONTH_BY_NUMBER = {i: n for i, n in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August",
     "September", "October", "November", "December"], 1)}

# Words before a number that mark it as a software version (read part by part).
VERSION_CONTEXT = {
    "kubernetes", "k8s", "python", "version", "versions", "release", "v", "node", "node.js",
    "java", "go", "golang", "rust", "ruby", "php", "perl", "ios", "android", "macos",
    "ubuntu", "debian", "fedora", "rhel", "centos", "windows", "linux", "kernel", "helm",
    "terraform", "istio", "envoy", "docker", "react", "angular", "vue", "django", "rails",
    "spring", "gcc", "clang", "llvm", "postgres", "postgresql", "mysql", "redis", "kafka",
    "spark", "tensorflow", "pytorch", "torch", "cuda", "gpt", "llama", "claude", "gemini",
    "chrome", "firefox", "safari", "http", "tls", "ssl", "oauth", "openssl", "bash",
    "numpy", "pandas", "upgrade", "upgraded", "upgrading", "kubectl",
    "glibc", "musl", "curl", "nginx", "mongodb", "elasticsearch", "opensearch", "argo", "cd", "openssh", "ssh",
    "containerd", "etcd", "cilium", "prometheus", "grafana", "vault", "consul", "nomad", "jdk", "swift", "kotlin",
    "scala", "typescript", "elixir", "erlang", "gradle", "maven", "npm", "yarn", "pnpm", "deno", "bun", "vllm",
    "mistral", "qwen", "phi", "opentofu", "pulumi", "ansible", "jenkins", "gitlab", "hadoop", "flink",
    "airflow", "dbt", "trino", "iceberg", "alpine", "sonnet", "opus", "haiku", "mixtral", "gemma", "dotnet",
}
VERSION_BEFORE_WINDOW = 2
