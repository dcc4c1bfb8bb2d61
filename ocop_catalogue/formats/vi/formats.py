"""Vietnamese date input: day first, as documents are dated (Django's "vi" locale defines none, so
"01/06/2025" would otherwise be read the American way, as 6 January). Other formats come from Django's vi locale.
"""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
FIRST_DAY_OF_WEEK = 1  # Monday
# Counts are grouped by thousands (100.547): Django's vi locale names the separator but no grouping, so
# floatformat:"0g" printed 100547.
NUMBER_GROUPING = 3
# Times as staff read them in the admin's history: "08/12/2026 06:22", not Django vi's "06:22 Ngày 08 tháng
# 12 năm 2026".
DATETIME_FORMAT = "d/m/Y H:i"
