/*
 * libFuzzer target: the scenario loader (netsim/scenario.h). The text is parsed as if it were
 * tests/scenarios/fuzz.json, so relative certificate paths reach the test certificates. A refusal must
 * name the file in its one-line error; an accepted scenario is freed whole (LeakSanitizer checks).
 */
#include <string.h>

#include "fz.h"
#include "scenario.h"

#define FILE_NAME "tests/scenarios/fuzz.json"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512] = "";
	sim_scenario *sc = sim_scenario_parse(FILE_NAME, (const char *)data, size, err, sizeof(err));
	if (!sc) {
		if (strncmp(err, FILE_NAME ":", strlen(FILE_NAME ":")) != 0 || strchr(err, '\n'))
			__builtin_trap();
		return 0;
	}
	sim_scenario_free(sc);
	return 0;
}
