/* SPDX-License-Identifier: MIT */
/* placeholder until implemented */
