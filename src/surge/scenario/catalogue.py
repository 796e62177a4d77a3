"""The fixed catalogue the scenario generator draws from.

The product (a small electric fixed-wing airframe: purchased parts, made items, the
operations that make them), the kinds of organisation that can convert lines, the industrial
towns of Europe they sit in, the supplier categories, and the shapes of ramp-ups and
conversion options. Numbers are list prices and typical values; the
seed varies them in :mod:`surge.scenario.generate`.
"""

from __future__ import annotations

import numpy as np

# --- the product: items, operations, capabilities ---------------------------------------

# (id, name, weight [kg], list price [EUR/unit]); prices are list prices of European
# suppliers, Asian ones are cheaper (public sources: ~EUR 300 of parts for a small airframe;
# 21700 cells, packs of ~USD 65).
PURCHASED: list[tuple[str, str, float, float]] = [
    ("prepreg", "carbon prepreg sheet, 1 m2", 0.3, 25.0),
    ("resin", "epoxy resin, 1 kg", 1.0, 18.0),
    ("foam-core", "foam core panel", 0.2, 6.0),
    ("pellets", "glass-filled polymer pellets, 1 kg", 1.0, 4.0),
    ("servo", "control-surface servo", 0.06, 15.0),
    ("motor", "brushless motor", 0.35, 45.0),
    ("esc", "electronic speed controller", 0.08, 30.0),
    ("propeller", "folding propeller", 0.05, 8.0),
    ("cell", "Li-ion cell 21700", 0.07, 3.5),
    ("bms", "battery management board", 0.05, 12.0),
    ("flight-computer", "flight computer", 0.1, 120.0),
    ("gnss", "GNSS receiver", 0.03, 35.0),
    ("radio", "radio link module", 0.06, 90.0),
    ("wire", "harness wire, 10 m reel", 0.3, 9.0),
    ("connector", "connector set", 0.05, 6.0),
]
MADE: list[tuple[str, str, float]] = [
    ("wing", "wing half", 1.6),
    ("fuselage", "fuselage shell", 1.8),
    ("tail", "tail assembly", 0.5),
    ("battery-pack", "battery pack", 1.2),
    ("propulsion-unit", "propulsion unit", 0.5),
    ("avionics-unit", "avionics unit", 0.3),
    ("harness", "wiring harness", 0.4),
    ("airframe", "airframe", 6.5),
    ("uav-built", "assembled aircraft, untested", 9.0),
    ("uav", "small electric fixed-wing airframe, accepted", 9.0),
]
FINAL = "uav"
SPARE = "battery-pack"

# (id, produces, consumes, capability, hours per unit [h], yield, lead time [weeks]).
# The first operation of an item is its usual route; later ones are alternatives.
OPERATIONS: list[tuple[str, str, dict[str, float], str, float, float, int]] = [
    ("wing-layup", "wing", {"prepreg": 3, "resin": 0.6, "foam-core": 1}, "composite-layup", 1.5,
     0.92, 1),
    ("wing-moulding", "wing", {"pellets": 1.8}, "plastic-moulding", 0.4, 0.97, 0),
    ("fuselage-layup", "fuselage", {"prepreg": 4, "resin": 0.8}, "composite-layup", 2.0, 0.93, 1),
    ("fuselage-moulding", "fuselage", {"pellets": 2.2}, "plastic-moulding", 0.5, 0.96, 0),
    ("tail-layup", "tail", {"prepreg": 1, "resin": 0.2, "foam-core": 0.3}, "composite-layup", 0.8,
     0.95, 0),
    ("pack-assembly", "battery-pack", {"cell": 12, "bms": 1}, "battery-assembly", 0.6, 0.97, 0),
    ("propulsion-assembly", "propulsion-unit", {"motor": 1, "esc": 1, "propeller": 1},
     "electromech-assembly", 0.5, 1.0, 0),
    ("avionics-assembly", "avionics-unit", {"flight-computer": 1, "gnss": 1, "radio": 1},
     "electronics-assembly", 0.8, 0.96, 0),
    ("avionics-integration", "avionics-unit", {"flight-computer": 1, "gnss": 1, "radio": 1},
     "electromech-assembly", 1.3, 0.9, 0),
    ("harness-assembly", "harness", {"wire": 1, "connector": 1}, "harness", 0.7, 1.0, 0),
    ("harness-manual", "harness", {"wire": 1.1, "connector": 1}, "electromech-assembly", 1.2, 0.95,
     0),
    ("airframe-assembly", "airframe", {"wing": 2, "fuselage": 1, "tail": 1, "servo": 4,
                                       "harness": 1},
     "final-assembly", 2.0, 1.0, 0),
    ("aircraft-integration", "uav-built",
     {"airframe": 1, "propulsion-unit": 1, "battery-pack": 1, "avionics-unit": 1},
     "final-assembly", 1.5, 0.98, 0),
    ("acceptance-test", "uav", {"uav-built": 1}, "testing", 0.5, 0.97, 1),
]
CAPABILITIES = sorted({op[3] for op in OPERATIONS})

# --- the industry ---------------------------------------------------------------------

# kind -> (name word, id word, capabilities its lines can take on, relative frequency)
KINDS = {
    "automotive": ("Automotive", "auto", ["final-assembly", "electromech-assembly",
                                          "plastic-moulding",
                                          "harness", "testing", "battery-assembly"], 3),
    "chemicals": ("Chemicals", "chem", ["composite-layup", "plastic-moulding"], 2),
    "electronics": ("Electronics", "elec", ["electronics-assembly", "harness", "battery-assembly",
                                            "testing"], 2),
    "automotive-supplier": ("Components", "comp", ["harness", "plastic-moulding",
                                                   "electromech-assembly", "electronics-assembly"],
                                                   3),
    "food": ("Foods", "food", ["final-assembly", "testing", "harness"], 1),
    "aerospace": ("Aero", "aero", ["composite-layup", "final-assembly", "testing",
                                   "electronics-assembly"], 1),
    "energy": ("Energy", "energy", ["battery-assembly", "electromech-assembly", "harness"], 1),
    "defence": ("Defence Systems", "def", ["final-assembly", "testing", "composite-layup",
                                           "electronics-assembly"], 1),
}
FIRST_KINDS = ["automotive", "chemicals", "electronics"]  # together they cover every capability

STEMS_A = ["Al", "Bren", "Cor", "Dal", "Ev", "Fal", "Gar", "Hel", "Ist", "Jor", "Kal", "Lum",
           "Mar", "Nor", "Or", "Pel", "Quar", "Ros", "Sol", "Tal", "Ul", "Var", "Wen", "Zel"]
STEMS_B = ["ant", "ex", "ia", "ion", "is", "on", "ora", "ix", "ent", "ara", "ed", "um", "ova",
           "ys", "ane", "ec"]

# Industrial towns (lat, lon rounded to 0.01 deg), by ISO 3166 country.
CITIES = {
    "FR": [("Douai", 50.37, 3.08), ("Le Mans", 48.00, 0.20), ("Cleon", 49.31, 1.03),
           ("Flins", 48.97, 1.87), ("Sochaux", 47.51, 6.83), ("Lyon", 45.76, 4.84),
           ("Toulouse", 43.60, 1.44), ("Bordeaux", 44.84, -0.58), ("Rennes", 48.11, -1.68),
           ("Grenoble", 45.19, 5.72), ("Nantes", 47.22, -1.55), ("Bourges", 47.08, 2.40)],
    "DE": [("Wolfsburg", 52.42, 10.79), ("Stuttgart", 48.78, 9.18), ("Ingolstadt", 48.77, 11.43),
           ("Leipzig", 51.34, 12.37), ("Dresden", 51.05, 13.74), ("Bremen", 53.08, 8.80),
           ("Cologne", 50.94, 6.96), ("Ludwigshafen", 49.48, 8.44), ("Zwickau", 50.72, 12.50)],
    "IT": [("Turin", 45.07, 7.69), ("Milan", 45.46, 9.19), ("Modena", 44.65, 10.93),
           ("Melfi", 40.99, 15.65), ("Brescia", 45.54, 10.22), ("Naples", 40.85, 14.27)],
    "ES": [("Barcelona", 41.39, 2.17), ("Valencia", 39.47, -0.38), ("Zaragoza", 41.65, -0.89),
           ("Vigo", 42.24, -8.72), ("Pamplona", 42.81, -1.64), ("Valladolid", 41.65, -4.72)],
    "PL": [("Gliwice", 50.29, 18.67), ("Poznan", 52.41, 16.93), ("Wroclaw", 51.11, 17.04),
           ("Rzeszow", 50.04, 22.00), ("Tychy", 50.13, 18.97), ("Lodz", 51.76, 19.46)],
    "CZ": [("Mlada Boleslav", 50.41, 14.90), ("Ostrava", 49.82, 18.26), ("Plzen", 49.74, 13.38),
           ("Brno", 49.20, 16.61), ("Kolin", 50.03, 15.20)],
    "BE": [("Ghent", 51.05, 3.72), ("Antwerp", 51.22, 4.40), ("Liege", 50.63, 5.57),
           ("Charleroi", 50.41, 4.44)],
    "NL": [("Eindhoven", 51.44, 5.47), ("Born", 51.03, 5.81), ("Rotterdam", 51.92, 4.48),
           ("Delft", 52.01, 4.36)],
    "SE": [("Gothenburg", 57.71, 11.97), ("Linkoping", 58.41, 15.62), ("Sodertalje", 59.20, 17.63),
           ("Trollhattan", 58.28, 12.29)],
    "RO": [("Pitesti", 44.86, 24.87), ("Craiova", 44.32, 23.80), ("Brasov", 45.66, 25.61),
           ("Timisoara", 45.75, 21.23)],
    "SK": [("Bratislava", 48.15, 17.11), ("Zilina", 49.22, 18.74), ("Trnava", 48.38, 17.59)],
    "HU": [("Gyor", 47.69, 17.63), ("Kecskemet", 46.91, 19.69)],
    "AT": [("Graz", 47.07, 15.44), ("Steyr", 48.04, 14.42)],
    "PT": [("Palmela", 38.57, -8.90), ("Porto", 41.15, -8.61)],
    "FI": [("Uusikaupunki", 60.80, 21.41), ("Tampere", 61.50, 23.76)],
    "NO": [("Raufoss", 60.73, 10.61), ("Kongsberg", 59.67, 9.65)],
}
COUNTRIES = list(CITIES)
COUNTRY_WEIGHTS = np.array([4 if c in ("FR", "DE") else 2 if c in ("IT", "ES", "PL", "CZ") else 1
                            for c in COUNTRIES], dtype=float)
FAR_COUNTRIES = ["CN", "CN", "TW", "JP", "US", "KR", "IN"]

# supplier category -> items it can offer; the first eight suppliers take one each.
# Every purchased item is in at least two categories.
SUPPLY = [
    ("composites", ["prepreg", "resin", "foam-core", "pellets"]),
    ("polymers", ["pellets", "resin", "foam-core", "prepreg"]),
    ("cells", ["cell", "bms"]),
    ("power-electronics", ["bms", "esc", "cell", "connector"]),
    ("motors", ["motor", "esc", "propeller", "servo"]),
    ("avionics", ["flight-computer", "gnss", "radio"]),
    ("cables", ["wire", "connector"]),
    ("distribution", ["flight-computer", "gnss", "radio", "wire", "servo", "motor", "propeller"]),
]
# China supplied ~90% of drone parts imported by Ukraine; motors from Asia come with long
# lead times (public sources, Supply): these categories are sourced far away more often.
FAR_SHARE = {"cells": 0.7, "motors": 0.7, "avionics": 0.5, "power-electronics": 0.5}

# (share of hours after ready, week by week): GM/Ventec and the UK challenge ramped over
# 4-8 weeks (public sources, Conversion precedents).
RAMPS = [[], [0.5], [0.3, 0.6, 0.9], [0.25, 0.5, 0.75], [0.2, 0.4, 0.6, 0.8],
         [0.1, 0.3, 0.5, 0.7, 0.9]]
# option kind -> (capabilities, hours factor, fixed cost per weekly hour [EUR/(h/week)])
OPTION_KINDS = {"retool": (1, 0.6, (100, 300)), "convert": (2, 1.0, (300, 700)),
                "rebuild": (3, 1.35, (700, 1400))}

# (delay distribution, fill rate, outage) for a few far suppliers and for every supplier
SUPPLIER_RISKS = [
    {"delay_weeks": {0: 0.6, 2: 0.3, 4: 0.1}, "fill_rate": {"mean": 0.95, "sd": 0.03},
     "outage": {"probability_per_week": 0.01, "weeks": 3}},
    {"delay_weeks": {0: 0.7, 1: 0.2, 3: 0.1}, "fill_rate": {"mean": 0.9, "sd": 0.05}},
    {"delay_weeks": {0: 0.5, 1: 0.3, 2: 0.2}, "outage": {"probability_per_week": 0.02, "weeks": 2}},
]
LINE_RISKS = [
    {"slip_weeks": {0: 0.5, 2: 0.3, 4: 0.2}, "availability": 0.95},
    {"slip_weeks": {0: 0.6, 1: 0.3, 3: 0.1}, "availability": 0.9},
    {"slip_weeks": {0: 0.8, 6: 0.2}},
]
