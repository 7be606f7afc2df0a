/* --threads N|auto, shared by the commands that run the simulator. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_parse_threads(const char *v, unsigned *out)
{
	if (strcmp(v, "auto") == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		*out = n < 1 ? 1 : n > 256 ? 256 : (unsigned)n;
		return 0;
	}
	char *end = NULL;
	if (!v[0] || v[0] == '-' || v[0] == '+')
		return -1;
	unsigned long n = strtoul(v, &end, 10);
	if (*end || n < 1 || n > 256)
		return -1;
	*out = (unsigned)n;
	return 0;
}
