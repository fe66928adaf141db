# Month first, as Hmong families in the United States write dates: 11/29/2026.
DATE_FORMAT = "n/j/Y"
DATETIME_FORMAT = "n/j/Y H:i"
SHORT_DATE_FORMAT = "n/j/Y"
SHORT_DATETIME_FORMAT = "n/j/Y H:i"
