/* SPDX-License-Identifier: MIT */
/* Program entry for galaxyctl and galaxy (the same binary, told apart by argv[0]). */
#include "commands.h"

int main(int argc, char **argv)
{
	return gx_main(argc, argv);
}
