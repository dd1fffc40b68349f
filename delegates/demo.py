"""Demo data for a new user's machine: Landstinget 2024 in Trondheim with the real counties and municipalities.

The 2024 mapping of KS' regional offices to counties is not known to us (only KS Viken's, from the source
documents), so every office is labelled as demo data.
"""

import datetime

DEMO_CONGRESS = {
    "name": "Landstinget 2024",
    "year": 2024,
    "city": "Trondheim",
    "venue": "Trondheim Spektrum",
    "first_day": datetime.date(2024, 2, 13),
    "last_day": datetime.date(2024, 2, 14),
    "registration_deadline": datetime.date(2024, 1, 15),
}

# (office name, e-mail, county numbers). KS Viken's counties are from the source documents; the rest is invented.
DEMO_REGIONAL_OFFICES = [
    ("KS Viken (demo)", "viken@ks-landsting.test", ["31", "32", "33"]),
    ("KS Oslo (demo)", "oslo@ks-landsting.test", ["03"]),
    ("KS Innlandet (demo)", "innlandet@ks-landsting.test", ["34"]),
    ("KS Vestfold og Telemark (demo)", "vestfold-telemark@ks-landsting.test", ["39", "40"]),
    ("KS Agder (demo)", "agder@ks-landsting.test", ["42"]),
    ("KS Rogaland (demo)", "rogaland@ks-landsting.test", ["11"]),
    ("KS Vestland (demo)", "vestland@ks-landsting.test", ["46"]),
    ("KS Møre og Romsdal (demo)", "more-romsdal@ks-landsting.test", ["15"]),
    ("KS Trøndelag (demo)", "trondelag@ks-landsting.test", ["50"]),
    ("KS Nord-Norge (demo)", "nord-norge@ks-landsting.test", ["18", "55", "56"]),
]

DEMO_SECRETARIAT_LOGIN = ("sekretariat@ks-landsting.test", "landsting2024")
DEMO_REGIONAL_LOGIN = ("viken@ks-landsting.test", "landsting2024")
