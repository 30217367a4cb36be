"""Answer "I like this artist: who sounds like them, and what should I play?" from the marts."""
