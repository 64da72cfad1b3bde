"""Attribution: who says what in a news paragraph, by rules over shipped lexicons."""
