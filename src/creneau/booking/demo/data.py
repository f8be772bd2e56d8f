"""Realistic demo data: three prefectures (one overseas), their sites, procedures and schedules."""

from __future__ import annotations

from typing import Any

COMMON_DOCS = [
    {
        "fr": "Passeport en cours de validité (toutes les pages)",
        "en": "Valid passport (all pages)",
        "ar": "جواز سفر ساري المفعول (جميع الصفحات)",
    },
    {
        "fr": "Justificatif de domicile de moins de 3 mois",
        "en": "Proof of address less than 3 months old",
        "ar": "إثبات عنوان يعود لأقل من 3 أشهر",
    },
    {
        "fr": "3 photographies d'identité récentes",
        "en": "3 recent identity photographs",
        "ar": "3 صور شخصية حديثة",
    },
]
PROCEDURES = {
    "first_permit": (
        45,
        [
            *COMMON_DOCS,
            {
                "fr": "Acte de naissance avec filiation",
                "en": "Birth certificate showing parents",
                "ar": "شهادة ميلاد تتضمن النسب",
            },
            {
                "fr": "Visa long séjour ou justificatif d'entrée régulière",
                "en": "Long-stay visa or proof of regular entry",
                "ar": "تأشيرة إقامة طويلة أو ما يثبت الدخول النظامي",
            },
        ],
    ),
    "renewal": (
        30,
        [
            *COMMON_DOCS,
            {"fr": "Titre de séjour actuel", "en": "Current residence permit", "ar": "بطاقة الإقامة الحالية"},
            {
                "fr": "Justificatifs de ressources (3 derniers bulletins de salaire)",
                "en": "Proof of income (last 3 payslips)",
                "ar": "إثبات الدخل (آخر 3 كشوف رواتب)",
            },
        ],
    ),
    "naturalisation": (
        60,
        [
            *COMMON_DOCS,
            {
                "fr": "Diplôme ou attestation de niveau de français B1",
                "en": "French language certificate (level B1)",
                "ar": "شهادة مستوى اللغة الفرنسية B1",
            },
            {
                "fr": "Avis d'imposition des 3 dernières années",
                "en": "Tax notices for the last 3 years",
                "ar": "إشعارات الضريبة للسنوات الثلاث الأخيرة",
            },
            {
                "fr": "Extrait de casier judiciaire du pays d'origine",
                "en": "Criminal record extract from the country of origin",
                "ar": "صحيفة السوابق العدلية من بلد الأصل",
            },
        ],
    ),
    "duplicate": (
        20,
        [
            *COMMON_DOCS[:2],
            {
                "fr": "Déclaration de perte ou de vol",
                "en": "Loss or theft report",
                "ar": "تصريح بالضياع أو السرقة",
            },
        ],
    ),
    "change_of_status": (
        45,
        [
            *COMMON_DOCS,
            {"fr": "Titre de séjour actuel", "en": "Current residence permit", "ar": "بطاقة الإقامة الحالية"},
            {
                "fr": "Contrat de travail ou promesse d'embauche",
                "en": "Employment contract or job offer",
                "ar": "عقد عمل أو وعد بالتوظيف",
            },
        ],
    ),
}

PREFECTURES: list[dict[str, Any]] = [
    {
        "code": "93",
        "name": "Préfecture de la Seine-Saint-Denis",
        "time_zone": "Europe/Paris",
        "holidays_calendar": "FR",
        "email": "pref-etrangers@seine-saint-denis.gouv.example",
        "sites": [
            {
                "name": "Préfecture de Bobigny",
                "address": "1 esplanade Jean Moulin",
                "postcode": "93000",
                "city": "Bobigny",
                "step_free": True,
                "desks": 4,
            },
            {
                "name": "Sous-préfecture du Raincy",
                "address": "3 allée de Verdun",
                "postcode": "93340",
                "city": "Le Raincy",
                "step_free": False,
                "desks": 2,
            },
            {
                "name": "Sous-préfecture de Saint-Denis",
                "address": "29 rue de la Légion d'Honneur",
                "postcode": "93200",
                "city": "Saint-Denis",
                "step_free": True,
                "desks": 3,
            },
        ],
    },
    {
        "code": "67",
        "name": "Préfecture du Bas-Rhin",
        "time_zone": "Europe/Paris",
        "holidays_calendar": "FR-6AE",
        "email": "pref-etrangers@bas-rhin.gouv.example",
        "sites": [
            {
                "name": "Préfecture de Strasbourg",
                "address": "5 place de la République",
                "postcode": "67000",
                "city": "Strasbourg",
                "step_free": True,
                "desks": 3,
            },
            {
                "name": "Sous-préfecture de Haguenau",
                "address": "2 rue des Sœurs",
                "postcode": "67500",
                "city": "Haguenau",
                "step_free": True,
                "desks": 1,
            },
        ],
    },
    {
        "code": "974",
        "name": "Préfecture de La Réunion",
        "time_zone": "Indian/Reunion",
        "holidays_calendar": "FR-974",
        "email": "pref-etrangers@reunion.gouv.example",
        "sites": [
            {
                "name": "Préfecture de Saint-Denis (Réunion)",
                "address": "6 rue de la Messagerie",
                "postcode": "97400",
                "city": "Saint-Denis",
                "step_free": True,
                "desks": 2,
            },
            {
                "name": "Sous-préfecture de Saint-Pierre",
                "address": "2 rue de l'Amiral Lacaze",
                "postcode": "97410",
                "city": "Saint-Pierre",
                "step_free": False,
                "desks": 1,
            },
        ],
    },
]

SURNAMES = {
    "DZ": ["Benali", "Haddad", "Bouzid", "Mansouri", "Belkacem", "Cherif"],
    "MA": ["El Amrani", "Bennani", "Alaoui", "Tazi", "Idrissi", "Berrada"],
    "TN": ["Trabelsi", "Ben Salah", "Gharbi", "Jaziri", "Hamdi"],
    "SN": ["Diop", "Ndiaye", "Fall", "Sow", "Gueye", "Ba"],
    "ML": ["Traoré", "Keïta", "Coulibaly", "Diarra", "Konaté"],
    "CI": ["Kouassi", "Koné", "Yao", "Bamba", "Ouattara"],
    "CM": ["Mbarga", "Nkoulou", "Essomba", "Fotso"],
    "AF": ["Ahmadi", "Rahimi", "Karimi", "Hakimi", "Noori"],
    "SY": ["Al Hassan", "Khalil", "Darwish", "Haddad"],
    "UA": ["Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko"],
    "CN": ["Wang", "Li", "Zhang", "Liu", "Chen"],
    "KM": ["Said", "Abdou", "Ali", "Mohamed", "Soilihi"],
    "MG": ["Rakotomalala", "Randriamampionona", "Rasoanaivo", "Andrianarisoa"],
    "MU": ["Ramgoolam", "Jugnauth", "Appadoo", "Seetaram"],
}
GIVEN = {
    "DZ": ["Karim", "Yasmine", "Mohamed Amine", "Nadia", "Sofiane"],
    "MA": ["Youssef", "Fatima Zahra", "Hamza", "Salma", "Omar"],
    "TN": ["Amine", "Ines", "Mehdi", "Sarra"],
    "SN": ["Moussa", "Awa", "Ibrahima", "Fatou", "Cheikh"],
    "ML": ["Mamadou", "Aminata", "Seydou", "Kadiatou"],
    "CI": ["Jean-Marc", "Aya", "Kouadio", "Adjoua"],
    "CM": ["Paul", "Brigitte", "Samuel", "Clarisse"],
    "AF": ["Ahmad", "Zahra", "Mustafa", "Farid"],
    "SY": ["Rami", "Layla", "Omar", "Nour"],
    "UA": ["Olena", "Dmytro", "Iryna", "Oleksandr"],
    "CN": ["Wei", "Xiaoling", "Jun", "Mei"],
    "KM": ["Ahmed", "Zaina", "Anli", "Moinaecha"],
    "MG": ["Hery", "Voahirana", "Tiana", "Fanja"],
    "MU": ["Vikash", "Priya", "Anil", "Devika"],
}
NATIONALITIES = {
    "93": ["DZ", "MA", "TN", "SN", "ML", "CI", "CM", "AF", "SY", "CN"],
    "67": ["DZ", "MA", "TN", "UA", "SY", "AF", "CM"],
    "974": ["KM", "MG", "MU", "CN"],
}
