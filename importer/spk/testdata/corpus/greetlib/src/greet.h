/* greet formats a greeting for whom into buf. */
void greet(char *buf, unsigned long size, const char *whom);
