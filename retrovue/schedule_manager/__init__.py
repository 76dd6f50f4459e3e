"""Schedule manager: broadcast-domain models, time math, rules, the playlog and the guide."""
