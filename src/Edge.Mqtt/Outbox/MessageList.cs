namespace Edge.Mqtt.Outbox;

/// <summary>An intrusive doubly-linked FIFO of outbox messages (no allocation per operation).</summary>
internal struct MessageList
{
    public OutboxMessage? Head;
    public OutboxMessage? Tail;
    public int Count;

    public void AddLast(OutboxMessage m)
    {
        m.Prev = Tail;
        m.Next = null;
        if (Tail is null)
        {
            Head = m;
        }
        else
        {
            Tail.Next = m;
        }

        Tail = m;
        Count++;
    }

    public void AddFirst(OutboxMessage m)
    {
        m.Prev = null;
        m.Next = Head;
        if (Head is null)
        {
            Tail = m;
        }
        else
        {
            Head.Prev = m;
        }

        Head = m;
        Count++;
    }

    public void Remove(OutboxMessage m)
    {
        if (m.Prev is null)
        {
            Head = m.Next;
        }
        else
        {
            m.Prev.Next = m.Next;
        }

        if (m.Next is null)
        {
            Tail = m.Prev;
        }
        else
        {
            m.Next.Prev = m.Prev;
        }

        m.Prev = null;
        m.Next = null;
        Count--;
    }
}
