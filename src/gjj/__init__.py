"""GJJ Online Hall: the online service hall of a housing provident fund centre."""
