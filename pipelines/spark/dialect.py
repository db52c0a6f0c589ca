"""DuckDB SQL to Spark SQL: every engine difference the marts meet, handled here and only here
(decision D37; the list is in docs/scale.md, "Engine differences").

The mart models are written once, in DuckDB's dialect. SQLGlot parses them and writes Spark
SQL; what SQLGlot does not carry over, or carries over with other semantics, is rewritten on the
parsed tree before it is written:

- `getvariable('x')`: the config value, as a literal (Spark has no session variables of this kind).
- macros (`CREATE MACRO f(a, b) AS expr`): expanded inline at each call.
- `arg_max(x, (a, b))`: the tuple becomes a struct, which Spark orders field by field as DuckDB
  orders a row.
- HUGEINT: DECIMAL(38, 0) (Spark's widest exact integer; the packed keys stay below 2^123).
- `quantile_cont(x, q)` and `percentile_cont(q) WITHIN GROUP (ORDER BY x)`: Spark's exact
  `percentile(x, q)` (SQLGlot writes PERCENTILE_APPROX for the latter).
- `* EXCLUDE`, `* REPLACE`, `COLUMNS(...)`, `UNION [ALL] BY NAME`: expanded against the
  column names of their sources, which the caller looks up (Spark SQL has none of them).
  COLUMNS' regex and lambda are evaluated by DuckDB itself over the names, so they select
  exactly what they select there.
- table names qualified with DuckDB's catalogs (`temp.main.t`, `<db>.main.t`): the bare name.
Semantics the session settings align instead (pipelines/spark/session.py): ANSI mode off
(division by zero and invalid casts give NULL, as in DuckDB), UTC session time zone.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping, Sequence

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB

READ, WRITE = "duckdb", "spark"
# DuckDB's hash(): a Spark function of the same values (pipelines/spark/connection.py), since the
# models use it as a tie-break whose winner must be the same on both engines
HASH_UDF = "duckdb_hash"
# the columns of a query (given as a parsed SELECT), as the engine sees them
ColumnsOf = Callable[[exp.Expression], list[str]]


class Macro:
    def __init__(self, params: Sequence[str], body: exp.Expression):
        self.params, self.body = [p.lower() for p in params], body


def literal(value: object) -> exp.Expression:
    """A Python value as a SQL literal (parameters, variables)."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float | decimal.Decimal):
        return exp.Literal.number(value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, list | tuple):
        return exp.Array(expressions=[literal(v) for v in value])
    return exp.Literal.string(str(value))


class AsWritten(DuckDB):
    """DuckDB's dialect, keeping list indexes as written: SQLGlot shifts an index it can type
    as an integer to count from 0 and leaves others as they are, so `[...][k + 3]` and
    `[...][CAST(k AS INTEGER) + 3]` would end up one apart."""

    INDEX_OFFSET = 0


def parse(sql: str) -> list[exp.Expression]:
    return [s for s in sqlglot.parse(sql, read=AsWritten) if s is not None]


def bind(tree: exp.Expression, params: Sequence[object] | None) -> exp.Expression:
    """Replace `?` and `$n` placeholders by the parameters' literals."""
    if not params:
        return tree
    position = iter(range(len(params)))

    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder):
            if node.this is not None and str(node.this).isdigit():
                return literal(params[int(node.this) - 1])
            return literal(params[next(position)])
        if isinstance(node, exp.Parameter) and str(node.name).isdigit():
            return literal(params[int(node.name) - 1])
        return node

    return tree.transform(swap)


def expand_macros(tree: exp.Expression, macros: Mapping[str, Macro]) -> exp.Expression:
    """Inline every call of a macro (macros may call macros)."""
    for _ in range(10):
        changed = False

        def inline(node: exp.Expression) -> exp.Expression:
            nonlocal changed
            if isinstance(node, exp.Anonymous) and node.this.lower() in macros:
                macro = macros[node.this.lower()]
                args = {p: a for p, a in zip(macro.params, node.expressions)}

                def put(inner: exp.Expression) -> exp.Expression:
                    if (isinstance(inner, exp.Column) and not inner.table
                            and inner.name.lower() in args):
                        return exp.Paren(this=args[inner.name.lower()].copy())
                    return inner

                changed = True
                return exp.Paren(this=macro.body.copy().transform(put))
            return node

        tree = tree.transform(inline)
        if not changed:
            return tree
    raise ValueError("macros nested more than 10 deep")


def substitute_variables(tree: exp.Expression, variables: Mapping[str, object]) -> exp.Expression:
    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.this.lower() == "getvariable":
            return literal(variables.get(node.expressions[0].name))  # unset: NULL, as in DuckDB
        return node

    return tree.transform(swap)


DECIMAL38 = "DECIMAL(38, 0)"
ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Pow, exp.IntDiv, exp.Neg)


def _p(node: exp.Expression) -> exp.Paren:
    return exp.Paren(this=node)


def _exact(node: exp.Expression) -> exp.Expression:
    return exp.cast(_p(node), DECIMAL38)


def _power_of_two(k: exp.Expression) -> exp.Expression:
    """2^k as an exact DECIMAL(38, 0) (a DOUBLE power cast to DECIMAL keeps 16 digits): the
    literal for a constant k; else two 64-bit shifts multiplied (k up to 124)."""
    if isinstance(k, exp.Literal) and not k.is_string:
        return exp.cast(exp.Literal.number(2 ** int(k.this)), DECIMAL38)
    one = exp.cast(exp.Literal.number(1), "BIGINT")
    low = exp.func("shiftleft", one, exp.func("least", _p(k.copy()), exp.Literal.number(62)))
    high = exp.func("shiftleft", one.copy(), exp.func(
        "greatest", exp.Sub(this=_p(k.copy()), expression=exp.Literal.number(62)),
        exp.Literal.number(0)))
    return _p(exp.Mul(this=exp.cast(low, DECIMAL38), expression=exp.cast(high, DECIMAL38)))


def _mask_bits(mask: exp.Expression) -> int | None:
    """n when `mask` is the literal 2^n - 1."""
    if isinstance(mask, exp.Literal) and not mask.is_string:
        value = int(mask.this)
        if value > 0 and value & (value + 1) == 0:
            return value.bit_length()
    return None


def _wide(node: exp.Expression) -> bool:
    """Whether a shift or OR packs into a HUGEINT (an operand cast to it): shifts of 32- and
    64-bit integers stay Spark's own."""
    return any(c.to.sql() == DECIMAL38 for c in node.find_all(exp.Cast))


def _bits(node: exp.Expression) -> exp.Expression:
    """Bit packing as exact arithmetic: the models pack non-negative fields into disjoint bits of
    a HUGEINT (`a << k | b`, `(x >> k) & mask`), and Spark shifts only 32- and 64-bit integers.
    A shift or OR with no HUGEINT operand is left to Spark.
    On disjoint non-negative fields, `<<` is a product by 2^k, `|` a sum, `& (2^n - 1)` the
    remainder by 2^n and `(x >> k) & (2^n - 1)` the quotient of that remainder by 2^k."""
    if isinstance(node, exp.BitwiseLeftShift) and _wide(node):
        return _p(exp.Mul(this=_exact(node.this), expression=_power_of_two(node.expression)))
    if isinstance(node, exp.BitwiseOr) and _wide(node):
        return _p(exp.Add(this=_exact(node.this), expression=_exact(node.expression)))
    if isinstance(node, exp.BitwiseAnd) and _mask_bits(node.expression) is not None:
        n = _mask_bits(node.expression)
        inner = node.this.unnest()
        if isinstance(inner, exp.BitwiseRightShift):
            k = inner.expression
            upto = (exp.Literal.number(int(k.this) + n)
                    if isinstance(k, exp.Literal) and not k.is_string
                    else exp.Add(this=_p(k.copy()), expression=exp.Literal.number(n)))
            remainder = exp.func("pmod", _exact(inner.this), _power_of_two(upto))
            return _exact(exp.IntDiv(this=remainder, expression=_power_of_two(k)))
        return exp.func("pmod", _exact(node.this), exp.cast(exp.Literal.number(2 ** n),
                                                              DECIMAL38))
    return node


_DOUBLE_VALUED = (exp.Div, exp.Sqrt, exp.Ln, exp.Log, exp.Exp, exp.Pow, exp.Avg,
                  exp.Stddev, exp.StddevPop, exp.StddevSamp, exp.Variance, exp.VariancePop)


def _positive_int(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.Literal) and not node.is_string and node.this.isdigit() \
        and int(node.this) > 0


def _integral(to: exp.DataType) -> bool:
    integers = {exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT, exp.DataType.Type.INT,
                exp.DataType.Type.BIGINT, exp.DataType.Type.INT128, exp.DataType.Type.UBIGINT}
    if to.this in integers:
        return True
    # HUGEINT, already DECIMAL(38, 0) here (children are rewritten first)
    return to.this == exp.DataType.Type.DECIMAL and [e.name for e in to.expressions] == \
        ["38", "0"]


def _fractional(node: exp.Expression) -> bool:
    """A DOUBLE whatever its inputs' types: a quotient (already the CASE that writes out
    DuckDB's division), a DOUBLE-valued function, a cast to DOUBLE or FLOAT."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Case):
        return isinstance(node.args.get("default"), exp.Div)
    if isinstance(node, exp.Cast):
        return node.to.this in (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT)
    return isinstance(node, _DOUBLE_VALUED)


def _ordered_list(node: exp.ArrayAgg) -> exp.Expression:
    """DuckDB's list(x [ORDER BY k ...]) keeps NULL values and follows the ORDER BY; Spark's
    collect_list drops NULLs and SQLGlot drops the ORDER BY. The values are collected inside
    structs (never NULL), sorted by a comparator that writes out each key's direction and
    NULL placement, and taken out again."""
    order = node.this if isinstance(node.this, exp.Order) else None
    value = (order.this if order else node.this).copy()
    keys = list(order.expressions) if order else []
    fields = [exp.PropertyEQ(this=exp.to_identifier(f"k{i}"), expression=k.this.copy())
              for i, k in enumerate(keys)]
    fields.append(exp.PropertyEQ(this=exp.to_identifier("v"), expression=value))
    collected = exp.Anonymous(this="collect_list", expressions=[exp.Struct(expressions=fields)])
    if keys:
        compare: exp.Expression = exp.Literal.number(0)
        for i, key in reversed(list(enumerate(keys))):
            left, right = (exp.Dot.build([exp.to_identifier(side), exp.to_identifier(f"k{i}")])
                           for side in ("l", "r"))
            first = -1 if key.args.get("nulls_first") else 1  # where a NULL key goes
            below = 1 if key.args.get("desc") else -1          # where the smaller key goes
            n = exp.Literal.number
            compare = exp.Case(ifs=[
                exp.If(this=exp.and_(left.is_(exp.null()), right.is_(exp.null())),
                       true=compare),
                exp.If(this=left.is_(exp.null()), true=n(first)),
                exp.If(this=right.is_(exp.null()), true=n(-first)),
                exp.If(this=exp.LT(this=left.copy(), expression=right.copy()), true=n(below)),
                exp.If(this=exp.GT(this=left.copy(), expression=right.copy()), true=n(-below)),
            ], default=compare)
        collected = exp.Anonymous(this="array_sort", expressions=[collected, exp.Lambda(
            this=compare, expressions=[exp.to_identifier("l"), exp.to_identifier("r")])])
    return exp.Anonymous(this="transform", expressions=[collected, exp.Lambda(
        this=exp.Dot.build([exp.to_identifier("e"), exp.to_identifier("v")]),
        expressions=[exp.to_identifier("e")])])


def _functions(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Literal) and not node.is_string and any(
            c in node.this for c in ".eE") and isinstance(node.parent, ARITHMETIC):
        # 1.0 is a DECIMAL in both engines, but DuckDB divides decimals in DOUBLE while Spark
        # keeps a decimal of limited scale (and rounds it away in long products): in
        # arithmetic, as a DOUBLE, Spark computes what DuckDB computes (a literal standing
        # alone, a threshold in VALUES, stays the DECIMAL it is in DuckDB)
        return exp.cast(node.copy(), "DOUBLE")
    if isinstance(node, exp.UnixToTime) and node.args.get("scale") is not None \
            and str(node.args["scale"].this) == "3":  # epoch_ms(timestamp): ms since 1970
        # DuckDB rounds the microseconds to the nearest millisecond; unix_millis truncates
        micros = exp.func("unix_micros", exp.cast(node.this, "TIMESTAMP"))
        return exp.cast(exp.func("round", exp.Div(this=micros, expression=exp.Literal.number(
            1000))), "BIGINT")
    if isinstance(node, exp.Sub) and isinstance(node.expression, exp.Cast) \
            and node.expression.to.this == exp.DataType.Type.DATE:  # date - date: days
        return exp.DateDiff(this=node.this, expression=node.expression,
                            unit=exp.var("DAY"))
    if isinstance(node, exp.Div):
        # DuckDB's / divides every number (integer, HUGEINT, DECIMAL) in DOUBLE; Spark keeps
        # a DECIMAL of at most 38 digits, rounding quotients of wide sums to 6 decimals
        # a division by zero is IEEE's there (inf, -inf, NaN), NULL in Spark: written out
        a, b = exp.cast(_p(node.this), "DOUBLE"), exp.cast(_p(node.expression), "DOUBLE")
        infinite = exp.Mul(this=a.copy(), expression=exp.cast(exp.Literal.string("Infinity"),
                                                              "DOUBLE"))
        return exp.Case(ifs=[exp.If(this=exp.EQ(this=b.copy(), expression=exp.Literal.number(0)),
                                    true=infinite)], default=exp.Div(this=a, expression=b))
    if isinstance(node, exp.Round) and _positive_int(node.args.get("decimals")):
        # DuckDB rounds a DOUBLE to k decimals as round(x * 10^k) / 10^k in DOUBLE; Spark
        # rounds the shortest decimal form of x, which differs at 0.285 or 1.005 (0.28 and
        # 1.0 in DuckDB, whose products land below the half). Spark's round to an integer
        # agrees with DuckDB's (half away from zero), so the product is rounded. (A DECIMAL,
        # which DuckDB rounds exactly, is rounded in DOUBLE here: no model rounds one.)
        scale = exp.cast(exp.Literal.number(f"1e{node.args['decimals'].this}"), "DOUBLE")
        product = exp.Mul(this=exp.cast(_p(node.this.copy()), "DOUBLE"), expression=scale)
        return _p(exp.Div(this=exp.Round(this=product), expression=scale.copy()))
    if isinstance(node, exp.Cast) and _integral(node.to) and _fractional(node.this):
        # DuckDB casts a DOUBLE to an integer rounding half to even (3.5 -> 4, 2.5 -> 2);
        # Spark truncates (3.5 -> 3): the value is rounded first. Only operands that are
        # DOUBLE whatever their inputs are seen (a quotient, sqrt, avg, a cast to DOUBLE); the
        # models round explicitly elsewhere (CAST(round(x) AS BIGINT)), docs/scale.md
        node.set("this", exp.Anonymous(this="bround", expressions=[node.this.copy(),
                                                                  exp.Literal.number(0)]))
        return node
    if isinstance(node, exp.ArrayAgg):
        return _ordered_list(node)
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Explode):
        # CAST(unnest(list) AS t): Spark takes no generator inside an expression; the list is
        # cast instead
        array_type = exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[node.to.copy()],
                                  nested=True)
        return exp.Explode(this=exp.cast(node.this.this.copy(), array_type))
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and not (
            isinstance(node.expressions[0], exp.Literal) and node.expressions[0].is_string):
        # list[i] counts from 1 in DuckDB, from 0 in Spark: element_at counts from 1 (the
        # index is parsed as written, see AsWritten)
        return exp.Anonymous(this="element_at",
                             expressions=[node.this.copy(), node.expressions[0].copy()])
    if isinstance(node, exp.Grouping) and len(node.expressions) > 1:
        # DuckDB's grouping(a, b, c) is a bit vector over those columns (a the highest bit);
        # Spark's grouping_id() covers every grouping column, so it is summed from grouping(x)
        n = len(node.expressions)
        terms = [exp.Mul(this=exp.Grouping(expressions=[e.copy()]),
                         expression=exp.Literal.number(2 ** (n - 1 - i)))
                 for i, e in enumerate(node.expressions)]
        total = terms[0]
        for term in terms[1:]:
            total = exp.Add(this=total, expression=term)
        return _p(total)
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)  # a planner hint Spark does not take
        return node
    if isinstance(node, exp.Anonymous) and node.this.lower() in ("to_months", "to_years",
                                                                 "to_days"):
        unit = node.this.lower()
        arg = node.expressions[0].copy()
        if unit == "to_days":
            return exp.Anonymous(this="make_dt_interval", expressions=[arg])
        if unit == "to_years":
            return exp.Anonymous(this="make_ym_interval", expressions=[arg])
        return exp.Anonymous(this="make_ym_interval", expressions=[exp.Literal.number(0), arg])
    if isinstance(node, exp.Anonymous) and node.this.lower() == "error":
        return exp.Anonymous(this="raise_error", expressions=node.expressions)
    if isinstance(node, exp.Anonymous) and node.this.lower() == "hash":
        return exp.Anonymous(this=HASH_UDF, expressions=node.expressions)
    if isinstance(node, exp.ArgMax | exp.ArgMin) and isinstance(node.expression, exp.Tuple):
        node.set("expression", exp.Struct(expressions=node.expression.expressions))
        return node
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
        return exp.DataType.build("DECIMAL(38, 0)")
    if isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.PercentileCont):
        (ordered,) = node.expression.expressions
        q = node.this.this
        if ordered.args.get("desc"):
            q = exp.Sub(this=exp.Literal.number(1), expression=q)
        return exp.Anonymous(this="percentile", expressions=[ordered.this, q])
    if isinstance(node, exp.PercentileCont) and node.expression is not None:
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, exp.Table) and (node.args.get("db") or node.args.get("catalog")):
        if node.db and node.db.lower() == "information_schema":
            return exp.to_table(f"information_schema_{node.name}").as_(
                node.alias or node.name) if node.alias else exp.to_table(
                f"information_schema_{node.name}")
        bare = exp.Table(this=node.this.copy(), alias=node.args.get("alias"))
        return bare
    if type(node).__name__ in ("CurrentDatabase", "CurrentCatalog") or (
            isinstance(node, exp.Anonymous) and node.this.lower() == "current_database"):
        return exp.Literal.string("spark")
    return node


# --- star expansions -------------------------------------------------------------------------

def _matching(names: list[str], selector: exp.Expression) -> list[str]:
    """The names a COLUMNS(...) selector picks, as DuckDB picks them."""
    if isinstance(selector, exp.Literal):  # a regex
        picked = duckdb.execute("SELECT list_filter(?, lambda c: regexp_matches(c, ?))",
                                [names, selector.this]).fetchone()[0]
        return picked
    if isinstance(selector, exp.Array):
        return [e.name for e in selector.expressions]
    if isinstance(selector, exp.Lambda):
        (param,) = selector.expressions
        body = selector.this.sql(READ)
        return duckdb.execute(f"SELECT list_filter(?, lambda {param.name}: {body})",
                              [names]).fetchone()[0]
    if isinstance(selector, exp.Star):
        dropped = {c.name.lower() for c in selector.args.get("except_") or []}
        return [n for n in names if n.lower() not in dropped]
    raise ValueError(f"COLUMNS({selector.sql(READ)}): not a selector the Spark engine knows")


def _source_columns(select: exp.Select, star: exp.Expression, columns_of: ColumnsOf
                    ) -> list[str]:
    """The columns `star` (t.* or *) stands for in `select`: the same FROM and joins, with the
    statement's CTEs, asked of the engine."""
    probe = exp.Select(expressions=[star.copy()])
    for key in ("from_", "joins", "with_"):
        if select.args.get(key):
            probe.set(key, select.args[key].copy() if not isinstance(select.args[key], list)
                      else [j.copy() for j in select.args[key]])
    if not probe.args.get("with_"):
        _needed_ctes(probe, select.root())
    return columns_of(probe)


def _needed_ctes(probe: exp.Select, root: exp.Expression) -> None:
    """Give `probe` the CTEs of `root`'s WITH that it reads, directly or through another."""
    with_ = root.args.get("with_")
    if with_ is None:
        return
    ctes = {c.alias.lower(): c for c in with_.expressions}
    needed: list[str] = []
    todo = [t.name.lower() for t in probe.find_all(exp.Table)]
    while todo:
        name = todo.pop()
        if name in ctes and name not in needed:
            needed.append(name)
            todo += [t.name.lower() for t in ctes[name].find_all(exp.Table)]
    if needed:
        probe.set("with_", exp.With(expressions=[
            ctes[n].copy() for n in ctes if n in needed]))


def _own_columns(select: exp.Select, alias: str, columns_of: ColumnsOf) -> list[str]:
    """The columns of the source named `alias` in `select`'s FROM or joins, in its order."""
    sources = [select.args["from_"].this] + [j.this for j in select.args.get("joins") or []]
    for source in sources:
        if source.alias_or_name == alias:
            probe = exp.Select(expressions=[exp.Star()]).from_(source.copy())
            _needed_ctes(probe, select.root())
            return columns_of(probe)
    raise ValueError(f"{alias}.*: no source of that name")


def _plain_star(star: exp.Expression) -> exp.Expression:
    if isinstance(star, exp.Column):  # t.*
        return exp.Column(this=exp.Star(), table=star.args.get("table").copy())
    return exp.Star()


def _expand_select_stars(select: exp.Select, columns_of: ColumnsOf) -> None:
    """Expand `* EXCLUDE`, `* REPLACE` and `COLUMNS(...)` in one SELECT."""
    out: list[exp.Expression] = []
    touched = False
    for projection in select.expressions:
        star = projection if isinstance(projection, exp.Star) else (
            projection if isinstance(projection, exp.Column)
            and isinstance(projection.this, exp.Star) else None)
        modifiers = star is not None and (
            (star.this if isinstance(star, exp.Column) else star).args.get("except_")
            or (star.this if isinstance(star, exp.Column) else star).args.get("replace"))
        columns_node = next(projection.find_all(exp.Columns), None)
        if (not modifiers and isinstance(star, exp.Column) and select.args.get("joins")
                and any(j.args.get("using") for j in select.args["joins"])):
            # t.* next to a USING join: Spark puts the join columns first, DuckDB keeps t's
            # order; t's columns are listed in t's order
            touched = True
            table = star.table
            names = _own_columns(select, table, columns_of)
            out.extend(exp.column(n, table=table) for n in names)
        elif modifiers:
            touched = True
            inner = star.this if isinstance(star, exp.Column) else star
            table = star.table if isinstance(star, exp.Column) else None
            names = _source_columns(select, _plain_star(star), columns_of)
            dropped = {c.name.lower() for c in inner.args.get("except_") or []}
            replaced = {a.alias.lower(): a.this for a in inner.args.get("replace") or []}
            for n in names:
                if n.lower() in dropped:
                    continue
                if n.lower() in replaced:
                    out.append(exp.alias_(replaced[n.lower()].copy(), n))
                else:
                    out.append(exp.column(n, table=table))
        elif columns_node is not None:
            touched = True
            selector = columns_node.this
            names = _source_columns(select, exp.Star(), columns_of)
            for n in _matching(names, selector):
                copy = projection.copy()
                target = next(copy.find_all(exp.Columns))
                if target is copy:
                    out.append(exp.column(n))
                    continue
                target.replace(exp.column(n))
                out.append(exp.alias_(copy.unalias() if isinstance(copy, exp.Alias) else copy,
                                      n))
        else:
            out.append(projection)
    if touched:
        select.set("expressions", out)


def _expand_union_by_name(union: exp.Union, columns_of: ColumnsOf) -> None:
    """`a UNION [ALL] BY NAME b`: both sides selecting the union of their names, in order of
    first appearance, NULL where a side lacks one."""
    sides = [union.this, union.expression]
    names_of = []
    for side in sides:
        probe = exp.Select(expressions=[exp.Star()]).from_(exp.Subquery(
            this=side.copy(), alias=exp.TableAlias(this=exp.to_identifier("_s"))))
        _needed_ctes(probe, union.root())
        names_of.append(columns_of(probe))
    order: list[str] = []
    for names in names_of:
        order += [n for n in names if n.lower() not in {o.lower() for o in order}]
    for side, names in zip(sides, names_of):
        have = {n.lower() for n in names}
        wrapped = exp.Select(expressions=[
            exp.column(n) if n.lower() in have else exp.alias_(exp.Null(), n)
            for n in order]).from_(exp.Subquery(
                this=side.copy(), alias=exp.TableAlias(this=exp.to_identifier("_s"))))
        side.replace(wrapped)
    union.set("by_name", None)


def _eliminate_qualify(select: exp.Select, columns_of: ColumnsOf) -> exp.Expression:
    """`SELECT ... QUALIFY c` (Spark has no QUALIFY): the query with c as one more column, and
    around it a SELECT of the query's own columns WHERE that column holds."""
    condition = select.args["qualify"].this
    inner = select.copy()
    inner.set("qualify", None)
    with_ = inner.args.get("with_")
    inner.set("with_", None)  # the statement's CTEs move to the outer SELECT
    inner.set("expressions", [*inner.expressions, exp.alias_(condition.copy(), "_qualify")])
    probe = exp.Select(expressions=[exp.Star()]).from_(exp.Subquery(
        this=inner.copy(), alias=exp.TableAlias(this=exp.to_identifier("_q"))))
    if with_ is not None:
        probe.set("with_", with_.copy())
    else:
        _needed_ctes(probe, select.root())
    names = [n for n in columns_of(probe) if n != "_qualify"]
    outer = exp.Select(expressions=[exp.column(n) for n in names]).from_(exp.Subquery(
        this=inner, alias=exp.TableAlias(this=exp.to_identifier("_q")))).where(
        exp.column("_qualify"))
    if with_ is not None:
        outer.set("with_", with_)
    if select.parent is not None:
        select.replace(outer)
    return outer


def expand_by_name(tree: exp.Expression, columns_of: ColumnsOf) -> exp.Expression:
    """Expand star modifiers, COLUMNS(...) and UNION BY NAME, the CTEs in their order and each
    query's parts before the query (a probe of a query's sources sees them expanded)."""
    with_ = tree.args.get("with_")
    units = [cte.this for cte in with_.expressions] if with_ is not None else []
    units.append(tree)
    for unit in units:
        def nested_with(n: exp.Expression, unit: exp.Expression = unit) -> bool:
            return n is not unit and isinstance(n, exp.With)

        for node in reversed(list(unit.dfs(prune=nested_with))):
            if isinstance(node, exp.Select):
                _expand_select_stars(node, columns_of)
                if node.args.get("qualify"):
                    replaced = _eliminate_qualify(node, columns_of)
                    if node is tree:
                        tree = replaced
            elif isinstance(node, exp.Union) and node.args.get("by_name"):
                _expand_union_by_name(node, columns_of)
    return tree


def _bottom_up(tree: exp.Expression, fn: Callable[[exp.Expression], exp.Expression]
               ) -> exp.Expression:
    """Apply `fn` to every node, children before their parent (a rewrite sees rewritten
    operands)."""
    for node in reversed(list(tree.dfs())):
        new = fn(node)
        if new is not node:
            if node is tree:
                tree = new
            else:
                node.replace(new)
    return tree


def to_spark(tree: exp.Expression, variables: Mapping[str, object],
             macros: Mapping[str, Macro], columns_of: ColumnsOf | None = None) -> exp.Expression:
    """A parsed DuckDB statement rewritten for Spark (generate with `.sql("spark")`)."""
    tree = substitute_variables(expand_macros(tree, macros), variables)
    tree = _bottom_up(_bottom_up(tree, _functions), _bits)
    if columns_of is not None:
        tree = expand_by_name(tree, columns_of)
    return tree


def spark_sql(tree: exp.Expression) -> str:
    return tree.sql(WRITE)
