#ifndef GREET_H
#define GREET_H
#include <stddef.h>

/* greet_message writes "hello, WHO!" into buf (at most len bytes) and
 * returns the length it needed, like snprintf. */
int greet_message(char *buf, size_t len, const char *who);

/* greet_version is the library's version, "1.2.0". */
const char *greet_version(void);

#endif
