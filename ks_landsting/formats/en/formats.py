"""English as the congress writes it: day before month, month in words where it is short, 24-hour times.

"17 January 2027", "17 January 2027 14:30", "2 Dec 2026 05:48", "14:30". Never the US numeric 12/02/2026 (read as
2 December here, as 12 February in the US) and never "a.m."/"p.m." (which also ended sentences in "1 a.m..").
"""

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday, as in Norway

# The first of each list is how a form shows a value (ISO, as in bokmål, so the admin's calendar widgets agree);
# the others are what people type: the Norwegian numeric form, the British one, the month in words.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2027-01-17'
    "%d.%m.%Y",  # '17.01.2027'
    "%d.%m.%y",  # '17.01.27'
    "%d/%m/%Y",  # '17/01/2027'
    "%d %b %Y",  # '17 Jan 2027'
    "%d %B %Y",  # '17 January 2027'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2027-01-17 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2027-01-17 14:30:59.000200'
    "%Y-%m-%d %H:%M",  # '2027-01-17 14:30'
    "%d.%m.%Y %H:%M:%S",  # '17.01.2027 14:30:59'
    "%d.%m.%Y %H:%M",  # '17.01.2027 14:30'
    "%d/%m/%Y %H:%M:%S",  # '17/01/2027 14:30:59'
    "%d/%m/%Y %H:%M",  # '17/01/2027 14:30'
    "%d %b %Y %H:%M",  # '17 Jan 2027 14:30'
    "%d %B %Y %H:%M",  # '17 January 2027 14:30'
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # '14:30:59'
    "%H:%M:%S.%f",  # '14:30:59.000200'
    "%H:%M",  # '14:30'
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
