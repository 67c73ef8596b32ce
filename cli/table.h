/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Aligned text tables for human output: add a header, add rows, print. */

#include <stdio.h>

typedef struct Table Table;

/* columns: number of columns; the header names follow. */
Table *table_new(unsigned columns, ...);
/* Append a row of exactly `columns` strings; NULL prints as "-". */
int table_add_row(Table *t, ...);
/* Print with two spaces between columns; the last column is not padded. */
void table_print(const Table *t, FILE *f);
void table_free(Table *t);
