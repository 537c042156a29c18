"""The sample portfolio's wording: staff, business kinds, places, names, contact notes and free-text answers.

Kept apart from the modules that decide who does what and when; this is only what they say.
"""

from __future__ import annotations

STAFF = ("Maya Chen", "Tomás Ortega", "Sam Whitfield")

# kind → (name templates, usual PC range, key systems)
KINDS: dict[str, tuple[tuple[str, ...], tuple[int, int], tuple[str, ...]]] = {
    "dental": (("{place} Dental Care", "{place} Family Dentistry", "{surname} Dental Studio",
                "{surname} & {surname2} Orthodontics"), (10, 28),
               ("practice management server", "X-ray sensor PC", "imaging server")),
    "law": (("{surname} & {surname2} LLP", "{surname} Law Group", "{surname} Legal", "{place} Law Office"), (10, 32),
            ("document management server", "case-management database", "scanner workflow")),
    "architecture": (("{surname} Architects", "{place} Design Studio", "{surname} + {surname2} Architecture",
                      "Studio {surname}"), (10, 30), ("CAD workstations", "plotter", "project NAS")),
    "accounting": (("{surname} & Co. Accountants", "{place} Tax & Accounting", "{surname} CPA Group",
                    "{surname} Bookkeeping"), (10, 30), ("tax software", "client portal", "document scanner")),
    "vet": (("{place} Veterinary Clinic", "{place} Animal Hospital", "{surname} Veterinary Practice"), (10, 30),
            ("practice software", "lab analyser PC", "X-ray PC")),
    "bakery": (("{place} Bakehouse", "{surname}'s Bakery", "{place} Bread Co."), (10, 16),
               ("POS system", "web shop", "order tablets")),
    "physio": (("{place} Physical Therapy", "{place} Chiropractic", "{surname} Sports Rehab"), (10, 22),
               ("scheduling system", "EMR workstation", "front-desk PCs")),
    "insurance": (("{surname} Insurance Agency", "{place} Insurance Group"), (10, 25),
                  ("agency management system", "phone system", "e-signature service")),
    "realty": (("{place} Realty", "{surname} Real Estate"), (10, 30), ("listing database", "shared drive", "laptop fleet")),
    "optometry": (("{place} Eye Care", "{surname} Optometry"), (10, 20),
                  ("retinal camera PC", "practice software", "frame inventory system")),
    "engineering": (("{surname} Engineering", "{place} Surveying"), (12, 35),
                    ("CAD licence server", "GPS data server", "file server")),
    "nonprofit": (("{place} Community Foundation", "{place} Food Bank"), (10, 25),
                  ("donor database", "volunteer laptops", "Microsoft 365 tenant")),
    "school": (("{place} Montessori School", "{place} Learning Center"), (12, 35),
               ("Chromebook cart", "admin office PCs", "classroom projectors")),
    "medical": (("{place} Pediatrics", "{place} Family Medicine", "{surname} Dermatology"), (12, 35),
                ("EHR workstations", "e-prescribing module", "fax server")),
    "logistics": (("{place} Freight",), (40, 80), ("ERP server", "warehouse Wi-Fi", "site-to-site VPN")),
    "cafe": (("Café {surname}",), (8, 14), ("POS terminals", "recipe server", "guest Wi-Fi")),
}
KIND_KEYS = tuple(key for key in KINDS if key not in ("logistics", "cafe"))

PLACES = (
    "Lakeside", "Maple Grove", "Riverbend", "Oak Ridge", "Pinecrest", "Westfield", "Fox Valley", "Stonebridge",
    "Millbrook", "Elmwood", "Brookside", "Silver Lake", "Prairie View", "North Shore", "Juniper Hill",
    "Willow Creek", "Ashford", "Granite Falls", "Hillcrest", "Meadowbrook", "Clearwater", "Copper Hill",
    "Ironwood", "Larkspur", "Beacon Hill", "Sandpiper Bay", "Old Mill", "Lindenwood", "Birch Hollow", "Eastgate",
    "Summit", "Tamarack", "Spring Lake", "Fairhaven", "Wolf River", "Heron Point",
)
SURNAMES = (
    "Ramirez", "Okafor", "Lindqvist", "Novak", "Haddad", "Fitzgerald", "Nakamura", "Brennan", "Delacroix",
    "Moreau", "Achebe", "Sørensen", "Castellanos", "Whitaker", "Patel", "Abernathy", "Gallagher", "Yılmaz",
    "Varga", "Schultz", "Ferreira", "Núñez", "D'Amico", "Nguyen", "Kim", "Osei", "Johansson", "Byrne", "Petrov",
    "Ahmed", "Kaur", "Rossi", "Dubois", "Hoffmann", "Mwangi", "Tanaka", "Greenberg", "MacLeod", "Chávez",
    "Olsen", "Brandt", "Reyes", "Adeyemi", "Fischer", "Santos", "Goldberg", "Quinn", "Walsh", "Wójcik",
)
FIRST_NAMES = (
    "Dana", "Aisha", "José", "Zoë", "Björn", "Mei", "Chloé", "Renée", "Łukasz", "Farah", "Hiroshi", "Élodie",
    "Mateo", "Olusegun", "Camille", "Darius", "Astrid", "Rafael", "Nadia", "Owen", "Grace", "Tobias", "Leila",
    "Hannah", "Samuel", "Beatriz", "Connor", "Anjali", "Yusuf", "Margaret", "Lars", "Amara", "Diego", "Fiona",
    "Kenji", "Rosa", "Victor", "Helen", "Andrés", "Sunita", "Paul", "Thandiwe",
)
NOTE_LINES = (
    "{first} prefers a phone call over e-mail.",
    "Parking is behind the building; ring the side door.",
    'The printer in the back office is "temperamental" — bring a spare fuser.',
    "Closed Friday afternoons; schedule visits Monday to Thursday.",
    "The owner signs off on anything over $500.",
    "Backups go to the cloud nightly, with a weekly copy on the local NAS.",
    "Guest Wi-Fi for customers on its own VLAN.",
    "Ask for {first}, not the front desk, when booking visits.",
    "Busy season January–April: no big changes then.",
    "High staff turnover; keep the onboarding checklist current.",
    "Half the PCs are due for replacement next year — budget conversation pending.",
    "Everything in Microsoft 365; the server is mostly file shares and printing.",
)

MINUTES = {"onsite": (45, 240, 15), "remote": (10, 90, 5), "phone": (5, 30, 5), "email": (5, 20, 5)}
NOTES: dict[str, tuple[str, ...]] = {
    "onsite": (
        "Monthly check-in: patched {n} workstations, checked backups",
        "Replaced failing SSD in {first}'s PC, restored from image",
        "Swapped UPS battery, tested failover on the {system}",
        "New hire setup: laptop, MFA, shared mailbox",
        'Installed new printer, pushed drivers to all PCs; "Scan to email" works again',
        "Server check: RAID healthy, {n}% free, event log clean",
        "Walked {first} through the new password manager",
        "Cabled the new desks, labelled the patch panel",
        "Firmware update on the firewall and switches, after hours",
        "Phishing-awareness session for the staff — lots of questions, good sign",
        "Replaced the dead Wi-Fi access point in the back room",
        "Quarterly review with {first}: hardware ages, licences, next year's budget",
        "Looked at the {system} again — slow, cleared temp files, rebuild scheduled",
        "Moved {n} users to the new file share, mapped drives, tested",
        "Monitors, docking stations, one dead keyboard",
        "Routine visit; checked the {system}, nothing to report",
    ),
    "remote": (
        "Remote patching, {n} updates installed, 1 reboot pending",
        "Reset password for the front desk, re-enrolled MFA",
        "Investigated slow VPN: ISP issue, ticket opened with them",
        "Backup job failed overnight, re-ran it, OK",
        "Cleaned up a phishing e-mail that got through, blocked the sender",
        "Fixed Outlook profile for {first}, rebuilt the OST",
        "Renewed the TLS certificate on the {system}",
        "Antivirus alert on one PC: false positive, excluded",
        "Installed the {system} update, tested with {first}",
        "Shared calendar permissions, again",
        "Résumé scanner workflow fixed for HR",
    ),
    "phone": (
        "{first} called: printer offline, talked through it",
        "Call with {first} about next month's new hires",
        "Quick call: attachments won't open, it was the browser",
        "Call about renewal, pricing questions",
        '{first}: "the internet is down" — it was the switch under the desk',
        "Talked {first} through restoring a deleted file from the share",
        "Pop-up on the reception PC; closed it, booked a scan",
    ),
    "email": (
        "Sent the quarterly backup report",
        "Quote for {n} new laptops, sent to {first}",
        "Answered {first}'s questions on licences, costs, renewals",
        "Confirmed next visit date",
        "Sent a how-to for the new scanner, with screenshots",
        "Warranty check: {n} PCs out of warranty next year, list sent",
        "Follow-up on the last visit: notes, open items",
    ),
}
SCHEDULED = ("monthly check-in", "server maintenance window", "new workstation rollout",
             "firewall firmware update", "quarterly review")

TEXTS: dict[str, tuple[str, ...]] = {
    "positive": (
        "Always quick to respond, and Maya explains things without jargon.",
        "Great service — the new backup setup gave us real peace of mind.",
        "Honestly? Keep doing what you're doing. The \"monthly check-in\" visits are worth every penny.",
        "Nothing to improve right now. Thanks for sorting out the printer saga!",
        "Fast, friendly, and you actually call back. Rare these days.",
        "Very happy. Maybe a short written summary after each visit, so I can forward it to the partners.",
        "Tomás fixed the scanner in ten minutes after the vendor spent two weeks on it.",
        "We feel looked after.\nThe security training was a hit with the staff, too.",
        "Smooth move to the new laptops: no downtime, no drama.",
        "Responsive, patient, and you remember how our office works. Thank you!",
        "Keep the visits coming — small issues get fixed before they become big ones.",
        "Best IT support we've had in 15 years, and we've had a few.",
        "Sam's phishing session was excellent; two people spotted a fake invoice the next week.",
        "Can't think of anything. Maybe a yearly look at what we spend on licences?",
        "The \"how-to\" sheets you left by the printer are a lifesaver.",
    ),
    "constructive": (
        "Response times are fine, but it's hard to reach anyone after 5 pm.",
        "Please warn us before updates that restart the PCs; we lost a morning's work once.",
        "Visits feel rushed lately. We'd rather have fewer, longer ones.",
        "Two things:\n1. An e-mail when something is down\n2. Clearer invoices, the line items are cryptic",
        "Good overall, but the new hire's laptop took two weeks to arrive.",
        "Tickets get closed as \"resolved\" before we've checked the fix.",
        "We'd like a real plan for replacing the older PCs, not one at a time as they die.",
        "More visits, please — once a month isn't enough for an office our size.",
        "Please write down the Wi-Fi and network setup somewhere we can find it.",
        "We never know who's coming. A name and a time the day before would help.",
        "Backups work, I think? A quarterly report saying so would reassure us.",
        "The price went up, the service stayed the same. Help us see what we're paying for.",
    ),
    "angry": (
        "Our server was down for two days and nobody came on site. Unacceptable for what we pay.",
        "Third time this year the \"fixed\" printer broke again. Stop patching it, replace it.",
        "I had to call four times about the e-mail outage. Four.",
        "We're seriously looking at other providers. Nobody has visited in months.",
        "The update you pushed broke our billing software — on a Friday, and we found out from customers.",
        "Slow, expensive, and nobody calls back.\nFix it or we leave at renewal.",
    ),
}
# voice → (constructive, positive) answers in the client's own language
VOICES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": (("Bitte keine Updates vor 6 Uhr – die Öfen laufen ab 4 Uhr.",
            "Manchmal dauert die Rückmeldung zu lange; ein kurzes „erhalten“ per E-Mail würde helfen.",
            "Rechnungen bitte auf Deutsch, wenn möglich."),
           ("Sehr zufrieden – schnelle Hilfe, auch samstags. Danke!",
            "Die neue Kasse läuft prima, Lena ist begeistert.",
            "Alles bestens, weiter so!")),
    "fr": (("Un peu lent à répondre le week-end, c'est là qu'on a le plus de clients.",
            "Merci de prévenir avant les mises à jour : le wifi des clients a coupé en plein rush."),
           ("Service impeccable, merci ! L'équipe est toujours réactive.",
            "Très contents — la caisse n'a pas planté une seule fois cet été.",
            "Rien à redire, à part : « continuez comme ça »")),
}
NON_LATIN = (
    "サポートはいつも迅速で丁寧です。ありがとうございます！",
    "服务很好，响应很快，谢谢！",
    "Πολύ καλή εξυπηρέτηση, ευχαριστούμε!",
    "Очень довольны, всё работает как часы.",
    "خدمة ممتازة وسريعة، شكراً لكم",
    "항상 빠르게 도와주셔서 감사합니다.",
)
DROP_COMMENTS = (
    "We used to see Tomás every other week; since the summer hardly anyone comes, and small problems "
    "pile up. Please put regular visits back on the calendar.",
    "The X-ray PC still freezes, the \"temporary\" fix is still there, and nobody has been in for weeks. "
    "What happened?",
)
DROP_FOLLOWUP = "Visits stopped after the summer. Nobody checks on us unless we call."
ANGRY_FOLLOWUP = ("The front-desk PCs froze every morning for three weeks. Your tech came once, rebooted them "
                  "and left.\nSend someone who stays until it's actually fixed.")
ANGRY_IMPROVE = ("Three weeks to fix our scheduling PCs and nobody called back. We pay for \"priority\" support, "
                 "so where is it? If this isn't sorted before renewal, we're gone.")
