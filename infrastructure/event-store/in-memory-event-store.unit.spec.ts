import { eventStoreContract } from '../../test/contract/event-store.contract.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

eventStoreContract('in memory', async () => ({ store: new InMemoryEventStore(), teardown: async () => {} }));
