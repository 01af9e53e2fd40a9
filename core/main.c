/* SPDX-License-Identifier: MIT */
/* Program entry. */
int main(void) { return 0; }
