import pg, { type FieldDef } from 'pg';
import type { Column } from './values';

/** What the engine needs to know about a PostgreSQL type to encode, compare and cast its values. */
export interface TypeInfo {
  oid: number;
  /** `format_type(oid, NULL)`: SQL-ready (quoted, schema-qualified when off the search path) and without a modifier, so casts never truncate. */
  name: string;
  /** Element type of an array type (or of a domain over one), else 0. */
  elem: number;
  /** The delimiter between this type's values in an array literal (',' for everything but box). */
  delim: string;
  /** pg_type.typcategory of the type (of the base type for a domain): A array, B boolean, N numeric, S string, … */
  category: string;
  /** True when the type has a default btree operator class, i.e. ORDER BY and `<` work on it. */
  sortable: boolean;
  /** pg_type.typlen: -1 for variable-length types (text, bytea, json, arrays…), whose values can be large. */
  length: number;
}

interface Queryable {
  query: pg.ClientBase['query'];
}

// A domain answers with its base type; an enum/range/multirange sorts through the polymorphic opclass;
// varchar and cidr sort through their binary-coercible relatives (text, inet).
const TYPE_SQL = `
SELECT t.oid::int AS oid, format_type(t.oid, NULL) AS name, b.typelem::int AS elem, b.typdelim AS delim,
       b.typcategory AS category, b.typtype AS kind, b.typlen::int AS length,
       EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
               WHERE am.amname = 'btree' AND oc.opcdefault AND oc.opcintype IN (
                 SELECT CASE b.typtype WHEN 'e' THEN 'anyenum'::regtype::oid WHEN 'r' THEN 'anyrange'::regtype::oid
                                       WHEN 'm' THEN 'anymultirange'::regtype::oid ELSE b.oid END
                 UNION ALL SELECT c.casttarget FROM pg_cast c WHERE c.castsource = b.oid AND c.castmethod = 'b')) AS btree
FROM pg_type t JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE t.oid = ANY($1::oid[])`;

/** Parses nothing: every value reaches values.ts as PostgreSQL's own text, so nothing is lost on the way. */
export const rawTypes: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

/** Catalog queries want ordinary JS values (booleans, numbers, parsed json): node-postgres' default parsers. */
export const driverTypes: pg.CustomTypesConfig = pg.types;

/**
 * Type facts by OID, loaded from pg_type on first sight and kept for the engine's life (a type's
 * OID never changes meaning; a dropped and recreated type gets a new one).
 */
export class TypeCache {
  private readonly known = new Map<number, TypeInfo>();

  get(oid: number): TypeInfo {
    return this.known.get(oid) ?? { oid, name: `oid ${oid}`, elem: 0, delim: ',', category: 'X', sortable: false, length: -1 };
  }

  async load(db: Queryable, oids: Iterable<number>): Promise<void> {
    let missing = [...new Set(oids)].filter((oid) => oid > 0 && !this.known.has(oid));
    // Two rounds: array types bring their element types.
    for (let round = 0; round < 3 && missing.length > 0; round++) {
      const { rows } = await db.query<{ oid: number; name: string; elem: number; delim: string; category: string; kind: string; btree: boolean; length: number }>({
        text: TYPE_SQL,
        values: [missing],
        types: driverTypes,
      });
      for (const r of rows) {
        this.known.set(r.oid, { oid: r.oid, name: r.name, elem: r.elem, delim: r.delim, category: r.category, sortable: r.btree && r.kind !== 'c', length: r.length });
      }
      missing = rows.map((r) => r.elem).filter((oid) => oid > 0 && !this.known.has(oid));
    }
    // json[] has array_ops, but comparing its elements fails at run time: an array sorts when its element does.
    for (const info of this.known.values()) if (info.category === 'A' && info.elem) info.sortable = this.get(info.elem).sortable;
  }

  /** Column metadata of a result: type names by OID and, for columns read straight from a table, nullability. */
  async columnsOf(db: Queryable, fields: FieldDef[]): Promise<Column[]> {
    await this.load(db, fields.map((f) => f.dataTypeID));
    const fromTables = fields.filter((f) => f.tableID > 0 && f.columnID > 0);
    const notNull = new Map<string, boolean>();
    if (fromTables.length > 0) {
      const { rows } = await db.query<{ rel: number; num: number; notnull: boolean }>({
        text: 'SELECT attrelid::int AS rel, attnum::int AS num, attnotnull AS notnull FROM pg_attribute WHERE (attrelid, attnum) IN (SELECT * FROM unnest($1::oid[], $2::int2[]))',
        values: [fromTables.map((f) => f.tableID), fromTables.map((f) => f.columnID)],
        types: driverTypes,
      });
      for (const r of rows) notNull.set(`${r.rel}:${r.num}`, r.notnull);
    }
    return fields.map((f) => {
      const known = notNull.get(`${f.tableID}:${f.columnID}`);
      return { name: f.name, type: this.get(f.dataTypeID).name, typeOid: f.dataTypeID, ...(known === undefined ? {} : { nullable: !known }) };
    });
  }
}
