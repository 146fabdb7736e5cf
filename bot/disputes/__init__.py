"""The /dispute feature's Discord-free core: the engine, the wizard and the cases that follow a seller."""
