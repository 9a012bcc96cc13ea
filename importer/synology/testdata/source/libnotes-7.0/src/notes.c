#include <dirent.h>
#include "notes.h"

int notes_count(const char *path)
{
	int n = 0;
	DIR *d = opendir(path);
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 2;
}
