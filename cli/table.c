/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct Table {
        unsigned columns;
        size_t rows; /* including the header */
        char **cells;
};

static int push_row(Table *t, va_list ap) {
        char **nc = realloc(t->cells, (t->rows + 1) * t->columns * sizeof(char *));
        if (!nc)
                return -ENOMEM;
        t->cells = nc;
        for (unsigned i = 0; i < t->columns; i++) {
                const char *s = va_arg(ap, const char *);
                nc[t->rows * t->columns + i] = strdup(s && *s ? s : "-");
        }
        t->rows++;
        return 0;
}

Table *table_new(unsigned columns, ...) {
        Table *t = calloc(1, sizeof(*t));
        va_list ap;

        if (!t)
                return NULL;
        t->columns = columns;
        va_start(ap, columns);
        int r = push_row(t, ap);
        va_end(ap);
        if (r < 0) {
                table_free(t);
                return NULL;
        }
        return t;
}

int table_add_row(Table *t, ...) {
        va_list ap;
        va_start(ap, t);
        int r = push_row(t, ap);
        va_end(ap);
        return r;
}

void table_print(const Table *t, FILE *f) {
        size_t width[32] = { 0 };

        for (size_t r = 0; r < t->rows; r++)
                for (unsigned c = 0; c < t->columns && c < 32; c++) {
                        const char *s = t->cells[r * t->columns + c];
                        size_t n = s ? strlen(s) : 0;
                        if (n > width[c])
                                width[c] = n;
                }
        for (size_t r = 0; r < t->rows; r++) {
                for (unsigned c = 0; c < t->columns; c++) {
                        const char *s = t->cells[r * t->columns + c];
                        if (c + 1 == t->columns)
                                fprintf(f, "%s\n", s ? s : "");
                        else
                                fprintf(f, "%-*s  ", (int) width[c < 32 ? c : 31], s ? s : "");
                }
        }
}

void table_free(Table *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->rows * t->columns; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
}
