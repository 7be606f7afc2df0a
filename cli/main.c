/* ikesim: main() only hands the process's streams to cli_main (cli/dispatch.c). */
#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv) { return cli_main(argc, argv, stdout, stderr); }
