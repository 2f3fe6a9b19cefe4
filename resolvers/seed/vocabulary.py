"""Word lists the seeder draws realistic values from; plain data, no logic."""

from __future__ import annotations

from decimal import Decimal

INDUSTRIES = (
    "Aerospace", "Agriculture", "Automotive", "Banking", "Biotechnology", "Chemicals",
    "Construction", "Consulting", "Education", "Energy", "Entertainment", "Food & Beverage",
    "Government", "Healthcare", "Hospitality", "Insurance", "Logistics", "Manufacturing",
    "Media", "Pharmaceuticals", "Real Estate", "Retail", "Software", "Telecommunications",
)  # fmt: skip

COMPANY_HEADS = (
    "Blue", "North", "Iron", "Silver", "Red", "Green", "Bright", "Clear", "Summit", "Pine",
    "Oak", "Cedar", "River", "Lake", "Harbor", "Stone", "Golden", "Eagle", "Falcon", "Apex",
    "Nova", "Vertex", "Atlas", "Delta", "Orbit", "Quantum", "Solar", "Lunar", "Crystal", "Maple",
    "Granite", "Copper", "Cobalt", "Aspen", "Willow", "Sterling", "Prime", "Pacific", "Alpine",
    "Coastal", "Evergreen", "Horizon", "Keystone", "Liberty", "Meridian", "Pioneer", "Redwood",
    "Sunrise", "Titan", "Union", "Vista", "Westwind", "Zenith", "Arbor", "Beacon", "Canyon",
    "Frontier", "Highland", "Ivory", "Juniper",
)  # fmt: skip

COMPANY_TAILS = (
    "field", "stone", "bridge", "wave", "point", "gate", "ridge", "works", "line", "crest",
    "path", "forge", "view", "port", "star", "light", "brook", "wood", "hill", "vale",
    "peak", "mark", "spring", "shore", "land", "way", "rock", "haven", "dale", "core",
)  # fmt: skip

COMPANY_SUFFIXES = (
    "Labs", "Systems", "Group", "Partners", "Holdings", "Industries", "Technologies",
    "Solutions", "Logistics", "Foods", "Health", "Energy", "Capital", "Media", "Robotics",
    "Analytics", "Manufacturing", "Consulting", "Networks", "Pharma", "Motors", "Retail",
    "Software", "Bank", "Insurance", "Studios", "Foundry", "Supply", "Dynamics", "Ventures",
)  # fmt: skip

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty",
    "Mark", "Sandra", "Steven", "Ashley", "Paul", "Emily", "Andrew", "Donna", "Joshua",
    "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah",
    "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Laura", "Ryan", "Sharon", "Jacob",
    "Cynthia", "Gary", "Kathleen", "Nicholas", "Amy", "Eric", "Angela", "Jonathan", "Shirley",
    "Aisha", "Wei", "Priya", "Hiroshi", "Fatima", "Mateo", "Sofia", "Lukas", "Ingrid", "Omar",
    "Chloé", "Björn", "Zoë", "Santiago", "Yuki", "Amara", "Kwame", "Leila", "Arjun", "Mei",
    "Noah", "Olivia", "Liam", "Emma", "Elena", "Marco", "Anna", "Pierre", "Hannah", "Ravi",
    "Camille", "Diego", "Nora", "Tariq", "Ines", "Jonas", "Freya", "Kofi", "Lucía", "Sven",
)  # fmt: skip

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Müller", "Schmidt", "Schneider",
    "Dubois", "Lefèvre", "Rossi", "Bianchi", "Tanaka", "Suzuki", "Sato", "Kim", "Park", "Chen",
    "Wang", "Li", "Zhang", "Patel", "Shah", "Singh", "Kumar", "Okafor", "Mensah", "Haddad",
    "Nakamura", "O'Brien", "Murphy", "Kelly", "Andersson", "Johansson", "Nielsen", "Jansen",
    "de Vries", "Novak", "Kowalski", "Ivanova", "Silva", "Santos", "Costa", "Oliveira", "Cohen",
    "Levi", "Abadi", "Yilmaz", "Demir", "Kaya", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
)  # fmt: skip

# (ISO country, phone prefix, [(city, state or region, postal code pattern)])
PLACES = (
    ("US", "+1", (("San Francisco", "CA", "941##"), ("Austin", "TX", "787##"),
                  ("New York", "NY", "100##"), ("Chicago", "IL", "606##"),
                  ("Seattle", "WA", "981##"), ("Boston", "MA", "021##"),
                  ("Denver", "CO", "802##"), ("Atlanta", "GA", "303##"))),
    ("CA", "+1", (("Toronto", "ON", "M5V #A#"), ("Vancouver", "BC", "V6B #A#"))),
    ("GB", "+44", (("London", "England", "EC1A #AA"), ("Manchester", "England", "M1 #AA"))),
    ("DE", "+49", (("Berlin", "Berlin", "101##"), ("Munich", "Bavaria", "803##"))),
    ("FR", "+33", (("Paris", "Île-de-France", "750##"), ("Lyon", "Auvergne-Rhône-Alpes", "690##"))),
    ("NL", "+31", (("Amsterdam", "North Holland", "10## AB"),)),
    ("SE", "+46", (("Stockholm", "Stockholm", "111 ##"),)),
    ("JP", "+81", (("Tokyo", "Tokyo", "100-####"),)),
    ("SG", "+65", (("Singapore", "Singapore", "0189##"),)),
    ("AU", "+61", (("Sydney", "NSW", "20##"), ("Melbourne", "VIC", "30##"))),
)  # fmt: skip

STREETS = (
    "Market Street", "Main Street", "Oak Avenue", "Harbor Road", "Park Lane", "King Street",
    "Station Road", "Mill Road", "Church Street", "High Street", "Innovation Way", "Lake Drive",
)  # fmt: skip

JOB_TITLES = (
    "CEO", "CFO", "CTO", "COO", "VP Sales", "VP Marketing", "VP Engineering", "Head of IT",
    "Head of Procurement", "Director of Operations", "Director of Finance", "IT Manager",
    "Procurement Manager", "Operations Manager", "Marketing Manager", "Product Manager",
    "Software Engineer", "Data Analyst", "Account Manager", "Office Manager", "Buyer",
    "Controller", "Chief Data Officer", "Head of Customer Success",
)  # fmt: skip

# (SKU code, family name, vendor, monthly list price of the Starter edition)
PRODUCT_FAMILIES = (
    ("ANL", "Analytics Suite", "Northwind Software", "49"),
    ("CRM", "Sales Cloud", "Northwind Software", "75"),
    ("SVC", "Service Desk", "Northwind Software", "59"),
    ("MKT", "Marketing Automation", "Brightwave Inc.", "89"),
    ("CMS", "Content Hub", "Brightwave Inc.", "39"),
    ("SEC", "Endpoint Security", "Ironclad Systems", "12"),
    ("IAM", "Identity Manager", "Ironclad Systems", "8"),
    ("BKP", "Cloud Backup", "Ironclad Systems", "19"),
    ("DBX", "Managed Database", "Stratus Cloud", "65"),
    ("CMP", "Compute Cluster", "Stratus Cloud", "95"),
    ("STG", "Object Storage", "Stratus Cloud", "25"),
    ("CDN", "Edge Delivery", "Stratus Cloud", "35"),
    ("ERP", "Finance & ERP", "Ledgerline", "60"),
    ("PAY", "Payroll", "Ledgerline", "6"),
    ("HRM", "People Platform", "Ledgerline", "9"),
    ("COL", "Team Chat", "Orbit Collaboration", "7"),
    ("VID", "Video Meetings", "Orbit Collaboration", "14"),
    ("DOC", "e-Signature", "Orbit Collaboration", "18"),
    ("IOT", "Fleet Telemetry", "Meridian Devices", "29"),
    ("TRN", "Training & Onboarding", "Meridian Services", "45"),
)  # fmt: skip

# (SKU code, edition name, price multiplier)
PRODUCT_EDITIONS = (
    ("STA", "Starter", Decimal(1)),
    ("TEA", "Team", Decimal("1.5")),
    ("BUS", "Business", Decimal("2.2")),
    ("ENT", "Enterprise", Decimal("3.5")),
    ("ULT", "Ultimate", Decimal(5)),
)
# (SKU code, billing term, adverb, months billed, discount for committing to the term)
PRODUCT_TERMS = (
    ("M", "monthly", "monthly", 1, Decimal(1)),
    ("A", "annual", "annually", 12, Decimal("0.85")),
)

OPPORTUNITY_KINDS = (
    "New business", "Expansion", "Renewal", "Upsell", "Pilot", "Migration", "Platform deal",
    "Multi-year renewal", "Department rollout", "Proof of concept",
)  # fmt: skip

LOST_REASONS = (
    "Price too high", "Chose a competitor", "No budget this year", "No decision",
    "Missing features", "Timing: project postponed", "Went with an in-house solution",
    "Champion left the company",
)  # fmt: skip

# Why a record moved back: the lifecycle engine asks for a reason.
MOVE_REASONS = (
    "Budget frozen until next quarter", "New stakeholder to convince", "Scope changed",
    "Customer asked for a new quote", "Issue came back after the fix", "Waiting on the customer",
    "Contract renewal reopened", "Back from a competitor", "Lost touch with the champion",
    "Re-engaged after a win-back campaign",
)  # fmt: skip

CAMPAIGN_THEMES = (
    "Product Launch", "Webinar Series", "Product Tour", "Upgrade Promotion",
    "Customer Summit", "Partner Referral Drive", "Analytics Roadshow", "Security Awareness",
    "Cloud Migration Week", "Developer Meetup", "Industry Report", "Customer Newsletter",
    "Free Trial Push", "Trade Show Booth", "Retargeting Ads", "Executive Dinner",
    "Case Study Series", "Podcast Sponsorship", "Onboarding Nurture", "Win-Back Sequence",
)  # fmt: skip

CASE_SUBJECTS = (
    "Cannot log in after password reset", "Invoice shows the wrong amount",
    "Data export times out", "Integration stopped syncing", "Feature request: bulk edit",
    "Slow dashboard loading", "User seats not updated", "SSO configuration help",
    "Report numbers do not match", "API rate limit questions", "Email notifications missing",
    "Mobile app crashes on start", "Request to change billing contact", "Onboarding assistance",
)  # fmt: skip

LEAD_TITLES = (
    "Procurement Lead", "IT Director", "Marketing Director", "Founder", "Head of Operations",
    "Finance Manager", "Engineering Manager", "Consultant", "Analyst", "Owner",
)  # fmt: skip

MEETING_TOPICS = (
    "Discovery", "Demo", "Pricing review", "Technical deep dive", "Quarterly business review",
    "Contract negotiation", "Onboarding kickoff", "Renewal discussion", "Security review",
)  # fmt: skip
