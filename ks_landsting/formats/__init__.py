"""Date, time and number formats of the project's languages (FORMAT_MODULE_PATH), where Django's own differ.

One style per language, 24-hour times in both. Bokmål uses Django's ``nb`` formats ("17. januar 2027 14:30",
"17.01.2027"); English is written here, in the same spirit and without the US numeric dates and a.m./p.m.
"""
