"""Units (the ministry's tree of forces, departments, hospitals) and their access tokens."""
