"""The password policy: long enough, not the user's own name, not one everybody tries first."""

MIN_LENGTH = 12

# The most common passwords of public breach lists that are MIN_LENGTH long or longer, and the
# obvious ones of this office; shorter ones are refused by length already.
COMMON = frozenset("""
123456789012 1234567890123 12345678901234 123456789123 1q2w3e4r5t6y 1qaz2wsx3edc qwertyuiopas
qwertyuiop123 qwerty123456 password1234 password12345 passwordpassword 111111111111 000000000000
iloveyou1234 abcdefghijkl abc123456789 qazwsxedcrfv zaq12wsxcde3 administrator administrator1
changemechangeme welcome12345 letmein12345 correcthorsebatterystaple trustno1trustno1 habeashabeas
prosecutor123 investigator1 qwertyqwerty asdfghjklzxc 147258369012 987654321098 passw0rd1234
""".split())


def problems(username: str, password: str) -> list[str]:
    """What is wrong with ``password`` for ``username`` ([] when it may be used)."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"at least {MIN_LENGTH} characters")
    lowered = password.lower()
    if username and len(username) >= 3 and username.lower() in lowered:
        found.append("must not contain the user name")
    squashed = "".join(lowered.split())
    if squashed in COMMON or len(set(squashed)) <= 2:
        found.append("too common: choose a passphrase of several words")
    return found
