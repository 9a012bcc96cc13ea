/* notes_count returns how many notes the store at path holds. */
int notes_count(const char *path);
