import { useCallback, useState } from 'react';
import type { AgentsApi } from './agents-api';
import { AgentsDialog } from './agents-dialog';
import './agents.css';

/** "Agents", in the sidebar's foot next to "Profile": opens the Agents screen. */
export function AgentsButton({ api }: { api: AgentsApi }) {
  const [open, setOpen] = useState(false);
  const close = useCallback(() => setOpen(false), []);
  return (
    <>
      <button type="button" className="text-button profile-bar__open" onClick={() => setOpen(true)}>
        Agents
      </button>
      {open ? <AgentsDialog api={api} onClose={close} /> : null}
    </>
  );
}
