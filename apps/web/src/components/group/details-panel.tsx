import { useId, useState } from 'react';
import type { JoinedMember, User } from '@chat/protocol';
import { Avatar } from '../ui/avatar';
import { AgentBadge } from '../ui/agent-badge';
import { ModalDialog } from '../ui/modal-dialog';
import { DialogHeader } from '../ui/dialog-header';
import { AddPeople } from './add-people';
import { InlineConfirm } from '../ui/inline-confirm';
import { RenameForm } from './rename-form';

export interface GroupActions {
  rename: (title: string | null) => Promise<unknown>;
  addMembers: (userIds: string[]) => Promise<unknown>;
  removeMember: (userId: string) => Promise<unknown>;
  makeAdmin: (userId: string) => Promise<unknown>;
  leave: () => Promise<unknown>;
  searchUsers: (query: string) => Promise<User[]>;
}

interface DetailsPanelProps {
  title: string;
  /** The conversation's own title (null: named after its members). */
  groupTitle: string | null;
  isGroup: boolean;
  members: readonly JoinedMember[];
  myUserId: string;
  /** Whether presence is live (connected): dots only then. */
  showPresence: boolean;
  actions: GroupActions;
  onClose: () => void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : 'Something went wrong.';
}

/**
 * The conversation's Details, from the header's "Details" button: its members with their roles
 * and online dots and, for a group, its name, "Add people", "Remove" (admins) and "Leave
 * conversation" with a confirmation. Everyone's screen follows through the server's frames.
 */
export function DetailsPanel(props: DetailsPanelProps) {
  const { members, myUserId, isGroup, actions } = props;
  const headingId = useId();
  const [adding, setAdding] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const amAdmin = members.some((m) => m.user_id === myUserId && m.role === 'admin');

  const run = (work: Promise<unknown>) => {
    setError(null);
    work.catch((cause: unknown) => setError(errorText(cause)));
  };

  // Me first, then admins, then by name: as Messages and WhatsApp list them.
  const sorted = [...members].sort(
    (a, b) =>
      Number(b.user_id === myUserId) - Number(a.user_id === myUserId) ||
      Number(b.role === 'admin') - Number(a.role === 'admin') ||
      a.display_name.localeCompare(b.display_name),
  );

  return (
    <ModalDialog labelledBy={headingId} onClose={props.onClose} className="dialog details">
      {(close) => (
        <>
          <DialogHeader headingId={headingId} title="Details" onDone={close} doneClassName="details__done" />
          <div className="dialog__body details__body">
            <div className="details__who">
              <Avatar
                name={props.title}
                size="large"
                group={
                  isGroup
                    ? members.filter((m) => m.user_id !== myUserId).map((m) => m.display_name)
                    : undefined
                }
              />
              <p className="details__title">{props.title}</p>
            </div>
            {isGroup ? (
              <RenameForm
                key={props.groupTitle ?? ''}
                initial={props.groupTitle ?? ''}
                onRename={(t) => run(actions.rename(t))}
              />
            ) : null}
            <section className="info-section" aria-labelledby={`${headingId}-members`}>
              <h3 className="info-section__title" id={`${headingId}-members`}>
                {members.length} {members.length === 1 ? 'member' : 'members'}
              </h3>
              <ul className="member-list" aria-label="Members">
                {sorted.map((m) => {
                  const me = m.user_id === myUserId;
                  const name = me ? `${m.display_name} (you)` : m.display_name;
                  return (
                    <li key={m.user_id} className="member">
                      <Avatar
                        name={m.display_name}
                        size="small"
                        online={props.showPresence && !me && m.online}
                        agent={m.is_agent}
                      />
                      <span className="member__text">
                        <span className="member__name">
                          {name}
                          {m.is_agent ? <AgentBadge /> : null}
                        </span>
                        <span className="member__meta">
                          {m.role === 'admin' ? 'Admin' : null}
                          {m.role === 'admin' && props.showPresence && !me && m.online ? ' · ' : null}
                          {props.showPresence && !me && m.online ? 'Online' : null}
                        </span>
                      </span>
                      {isGroup && amAdmin && !me && m.role !== 'admin' ? (
                        <button
                          type="button"
                          className="text-button member__action"
                          aria-label={`Make ${m.display_name} an admin`}
                          onClick={() => run(actions.makeAdmin(m.user_id))}
                        >
                          Make admin
                        </button>
                      ) : null}
                      {isGroup && amAdmin && !me ? (
                        <button
                          type="button"
                          className="text-button text-button--danger member__action"
                          aria-label={`Remove ${m.display_name}`}
                          onClick={() => run(actions.removeMember(m.user_id))}
                        >
                          Remove
                        </button>
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            </section>
            {isGroup ? (
              adding ? (
                <AddPeople
                  memberIds={members.map((m) => m.user_id)}
                  searchUsers={actions.searchUsers}
                  onAdd={(user) => run(actions.addMembers([user.id]))}
                  onDone={() => setAdding(false)}
                />
              ) : (
                <button type="button" className="details__row-button" onClick={() => setAdding(true)}>
                  Add people
                </button>
              )
            ) : null}
            {error ? (
              <p className="form-error" role="alert">
                {error}
              </p>
            ) : null}
            {isGroup ? (
              leaving ? (
                // "Leave conversation" asks first, as Messages does: the group and its messages go from the list.
                <InlineConfirm
                  title={`Leave “${props.title}”?`}
                  text="You will stop receiving its messages, and it leaves your list on every device."
                  confirmLabel="Leave"
                  onConfirm={() => run(actions.leave())}
                  onCancel={() => setLeaving(false)}
                />
              ) : (
                <button
                  type="button"
                  className="details__row-button details__row-button--danger"
                  onClick={() => setLeaving(true)}
                >
                  Leave conversation
                </button>
              )
            ) : null}
          </div>
        </>
      )}
    </ModalDialog>
  );
}
