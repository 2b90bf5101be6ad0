/**
 * DescribeDBSnapshotAttributes: the `restore` attribute of a manual snapshot (the accounts allowed to copy or
 * restore it). ModifyDBSnapshotAttribute is not modelled, so no snapshot is ever shared: the list is empty.
 */
import type { DescribeDBSnapshotAttributesMessage, DescribeDBSnapshotAttributesResult } from '@aws-sdk/client-rds';
import { op, type Handler } from '../../service.js';
import { required } from './common.js';
import { findSnapshot, snapshotNotFound } from './snapshots.js';

const describeDBSnapshotAttributes = op<DescribeDBSnapshotAttributesMessage, DescribeDBSnapshotAttributesResult>((input, { world }) => {
  const id = required(input.DBSnapshotIdentifier, 'DBSnapshotIdentifier');
  const snap = findSnapshot(world, id);
  if (!snap) throw snapshotNotFound(id);
  return { DBSnapshotAttributesResult: { DBSnapshotIdentifier: snap.data.identifier, DBSnapshotAttributes: [{ AttributeName: 'restore', AttributeValues: [] }] } };
});

export const snapshotAttributeHandlers: Record<string, Handler> = {
  DescribeDBSnapshotAttributes: describeDBSnapshotAttributes,
};
