#!/usr/bin/env python3
"""Writes words.txt: the lesson's small password list (2,000 lines), made up here, not taken from a leak.

The shapes are those real weak keys take: a word, a word with a year or digits, a capitalised word with
"!" . Deterministic (no randomness): rerunning gives the same file. Usage: python3 gen_words.py > words.txt
"""
ONSETS = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w"]
VOWELS = ["a", "e", "i", "o", "u"]
CODAS = ["", "n", "r", "s", "t", "x"]
STEMS = ["admin", "secret", "vpn", "office", "branch", "welcome", "summer", "winter", "spring",
         "autumn", "dragon", "monkey", "sunshine", "letmein", "password", "company", "tunnel",
         "gateway", "network", "firewall"]


def words():
    decorated = []
    for s in STEMS:  # the stems and their usual decorations, at the end of the list
        decorated += [s, s.capitalize() + "!", s + "123", s + "1"]
        decorated += [s + str(y) for y in range(2015, 2027)]
    out = []
    for o1 in ONSETS:  # two-syllable made-up words: "bakin", "tomes", ...
        for v1 in VOWELS:
            for o2 in ONSETS:
                for v2 in VOWELS:
                    for c in CODAS:
                        out.append(o1 + v1 + o2 + v2 + c)
    out = out[:2000 - len(decorated)] + decorated
    seen, uniq = set(), []
    for w in out:
        if w not in seen:
            seen.add(w)
            uniq.append(w)
    return uniq[:2000]


if __name__ == "__main__":
    print("\n".join(words()))
