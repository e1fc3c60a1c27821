/**
 * Registers the payment workflow's search attributes on a Temporal server: the dev server gets
 * them from its `--search-attribute` flags, but on a database file made before them, or on the
 * server on PostgreSQL, the operator API is the sure way. Adds only what is missing.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../temporal/search-attributes';

const { IndexedValueType } = temporal.api.enums.v1;
const INDEXED_TYPE = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/** The dev server's flags for them: `--search-attribute MerchantId=Keyword`, … */
export const searchAttributeFlags = (): string[] =>
  PAYMENT_SEARCH_ATTRIBUTES.flatMap((a) => ['--search-attribute', `${a.name}=${a.type === 'INT' ? 'Int' : 'Keyword'}`]);

export async function registerSearchAttributes(address: string, namespace = 'default'): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  try {
    const deadline = () => Date.now() + 10_000;
    const listed = await connection.withDeadline(deadline(), () =>
      connection.operatorService.listSearchAttributes({ namespace }),
    );
    const missing = PAYMENT_SEARCH_ATTRIBUTES.filter((a) => !(a.name in (listed.customAttributes ?? {})));
    if (missing.length === 0) return;
    await connection.withDeadline(deadline(), () =>
      connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((a) => [a.name, INDEXED_TYPE[a.type]])),
      }),
    );
  } finally {
    await connection.close();
  }
}
